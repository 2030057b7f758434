"""A pump running a program the record does not explain is an urgent finding, on SQLite and PostgreSQL.

The pump's program is known only by interrogation (SR-16). When an interrogation finds the pump
running something that is neither the confirmed program nor one sent from here since the last
reading — programmed with the vendor's programmer, or reset by a fault — every dose, refill date
and forecast on the record is wrong. The oracle is the twin: the test programs it behind the
record's back, as a vendor programmer would.
"""

from __future__ import annotations

from decimal import Decimal

from pathway_scenario import MORPHINE_25, NURSE, PHYSICIAN, MovableClock, actor

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.interruption import InterruptionReason
from thecal.domain.program import InfusionProgram
from thecal.domain.tasks import TaskKind, TaskPriority
from thecal.domain.units import DoseRate, Volume
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.interruptions import SuspendDelivery, suspend_delivery
from thecal.services.pumps import ImplantPump, implant_pump
from thecal.services.repositories.tasks import StoredTask

SERIAL = "NGP-000321"


def program(mg_per_day: str) -> InfusionProgram:
    return InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(Decimal(mg_per_day)))


def implant(clinic: Thecal) -> None:
    clinic.run_device(
        implant_pump,
        ImplantPump(
            actor=actor(PHYSICIAN),
            patient_id="patient-1",
            pump_model_id="synchromed-ii-20",
            pump_serial=SERIAL,
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=MORPHINE_25,
            fill_volume=Volume.from_ml(20),
            initial_program=program("5"),
            pump_id="pump-1",
        ),
    )


def interrogate(clinic: Thecal) -> None:
    clinic.run_device(interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1"))


def mismatch_tasks(clinic: Thecal) -> list[StoredTask]:
    with clinic.uow() as uow:
        return [
            stored
            for stored in uow.tasks.for_patient("patient-1", open_only=True)
            if stored.task.kind is TaskKind.PROGRAM_MISMATCH
        ]


def program_behind_the_records_back(
    clinic: Thecal, clock: MovableClock, running: InfusionProgram
) -> None:
    with clinic.uow() as uow:
        TwinStoreDriver.for_unit_of_work(uow, clock=clock).program(SERIAL, running)
        uow.commit()


def test_a_program_written_outside_thecal_is_an_urgent_finding_once(
    clinic: Thecal, clock: MovableClock
) -> None:
    implant(clinic)
    clock.advance(days=1)
    interrogate(clinic)
    assert mismatch_tasks(clinic) == []  # the pump runs the record's program

    clock.advance(hours=2)
    program_behind_the_records_back(clinic, clock, program("7.5"))
    clock.advance(hours=1)
    interrogate(clinic)
    [found] = mismatch_tasks(clinic)
    assert found.task.priority is TaskPriority.URGENT
    assert found.task.origin == "pump-1"
    assert "differs from the record" in found.task.reason
    assert "(step 1 rate: record 5 mg/day, pump 7.5 mg/day)" in found.task.reason
    with clinic.uow() as uow:
        assert uow.pumps.get("pump-1").program == program("5")  # the record is not overwritten

    clock.advance(hours=1)
    interrogate(clinic)  # the same finding stays one task
    assert len(mismatch_tasks(clinic)) == 1


def test_a_suspension_sent_from_here_is_not_a_mismatch(clinic: Thecal, clock: MovableClock) -> None:
    """A suspension writes the stopped program, then interrogates before the record runs
    "stopped": the pump runs what was sent from here (``Pump.sent_programs``), not a program
    behind the record's back; a later interrogation agrees with the record too."""
    implant(clinic)
    clock.advance(days=1)
    with clinic.uow() as uow:
        pump = uow.pumps.get("pump-1")
        assert pump is not None
        version = pump.version
    clinic.run_device(
        suspend_delivery,
        SuspendDelivery(
            actor=actor(NURSE),
            pump_id="pump-1",
            expected_pump_version=version,
            reason=InterruptionReason.SURGERY,
            note="spinal surgery",
        ),
    )
    clock.advance(hours=4)
    interrogate(clinic)
    assert mismatch_tasks(clinic) == []
