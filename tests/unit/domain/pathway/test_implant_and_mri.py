"""Implant records with their priming bolus, and the MRI emptying gate with its post-MRI task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.actors import ActorNotAllowed
from thecal.domain.admixture import Admixture
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.implant import ImplantInvalid, ImplantRecord, record_implant
from thecal.domain.library import reference_library
from thecal.domain.mri import (
    MriEmptyingMissing,
    MriFieldNotCleared,
    MriPlan,
    MriState,
    MriStateError,
)
from thecal.domain.program import InfusionProgram
from thecal.domain.tasks import TaskKind
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LIB = reference_library()
DR = Actor(user_id="dr-ada", role=Role.PHYSICIAN)
RN = Actor(user_id="rn-cai", role=Role.NURSE)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
PROGRAM = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(Decimal("0.5")))


def ml(value: str) -> Volume:
    return Volume.from_ml(Decimal(value))


def implant(**changes: object) -> ImplantRecord:
    args: dict[str, object] = {
        "implant_id": "im-1",
        "patient_id": "p-1",
        "surgeon": DR,
        "performed_at": T0,
        "pump": LIB.pump("prometra-ii-20"),
        "pump_serial": "PII-0042",
        "catheter": LIB.catheter("prometra-catheter"),
        "catheter_length_cm": Decimal(60),
        "catheter_tip_level": "t10",
        "initial_fill": MORPHINE_25,
        "fill_volume": ml("20"),
        "initial_program": PROGRAM,
    }
    args.update(changes)
    return record_implant(**args)  # type: ignore[arg-type]


def test_an_implant_records_the_priming_bolus_from_catheter_length_and_pump_path() -> None:
    record = implant()
    # catheter 60 cm × 0.0026 mL/cm = 0.156 mL (S64); Prometra internal path 0.25 mL [A] → 0.406 mL
    assert record.catheter_dead_space == ml("0.156")
    assert record.priming.volume == ml("0.406")
    assert record.catheter_tip_level == "T10"
    task = record.monitoring_task
    assert task.kind is TaskKind.POST_IMPLANT_MONITORING
    assert task.due == T0 + dt.timedelta(hours=24)
    assert "0.406 mL" in task.reason


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"fill_volume": ml("20.5")}, "initial fill volume"),
        ({"catheter_length_cm": Decimal(111)}, "supplied 110 cm"),
        ({"catheter_length_cm": Decimal(0)}, "catheter length"),
        ({"catheter_tip_level": "T14"}, "spinal level"),
    ],
)
def test_impossible_implant_values_are_refused(changes: dict[str, object], match: str) -> None:
    with pytest.raises(ValueOutOfRange, match=match):
        implant(**changes)


def test_a_program_for_another_admixture_than_the_fill_is_refused() -> None:
    other = InfusionProgram.continuous(
        Admixture.single("morphine", Concentration.from_mg_per_ml(10)), DoseRate.from_mg_per_day(1)
    )
    with pytest.raises(ImplantInvalid, match="10 mg/mL"):
        implant(initial_program=other)


def test_only_a_physician_records_an_implant() -> None:
    with pytest.raises(ActorNotAllowed):
        implant(surgeon=RN)


# ----------------------------------------------------------------------------- MRI

SCAN = T0 + dt.timedelta(days=3)


def mri(pump_id: str, field: str = "1.5") -> MriPlan:
    return MriPlan(
        plan_id="mri-1",
        patient_id="p-1",
        pump=LIB.pump(pump_id),
        pump_serial="S-1",
        scan_at=SCAN,
        field_strength_t=Decimal(field),
        planned_by=RN,
        planned_at=T0,
    )


def test_clearing_a_prometra_without_a_recorded_emptying_is_refused() -> None:
    plan = mri("prometra-ii-40")
    with pytest.raises(MriEmptyingMissing, match="must be emptied before MRI"):
        plan.clear(actor=DR, at=T0 + dt.timedelta(days=1))
    assert plan.state is MriState.PLANNED


def test_a_prometra_emptied_before_the_scan_is_cleared_with_a_restart_task() -> None:
    plan = mri("prometra-ii-40")
    plan.record_emptying(actor=RN, at=SCAN - dt.timedelta(hours=2), volume_withdrawn=ml("31.5"))
    task = plan.clear(actor=DR, at=SCAN - dt.timedelta(hours=1))
    assert plan.state is MriState.CLEARED
    assert task.kind is TaskKind.POST_MRI_INTERROGATION
    assert task.not_before == SCAN
    assert task.due == SCAN + dt.timedelta(hours=2)
    assert "refill and restart" in task.reason
    assert "flow-activated valve" in task.reason


def test_a_synchromed_needs_no_emptying_and_its_interrogation_is_due_within_24_hours_of_the_actual_scan() -> (
    None
):
    plan = mri("synchromed-ii-20")
    planned = plan.clear(actor=DR, at=T0 + dt.timedelta(days=1))
    assert planned.due == SCAN + dt.timedelta(hours=24)  # S55 recovery up to 24 h
    actual = SCAN + dt.timedelta(hours=3)
    task = plan.record_scan(actor=RN, at=actual)
    assert plan.state is MriState.SCANNED
    assert task.not_before == actual
    assert task.due == actual + dt.timedelta(hours=24)
    assert plan.version == 3


def test_a_field_above_1_5_tesla_is_not_cleared() -> None:
    plan = mri("synchromed-ii-20", field="3")
    with pytest.raises(MriFieldNotCleared, match=r"3 T is above the 1\.5 T"):
        plan.clear(actor=DR, at=T0)


def test_only_a_physician_clears_for_mri() -> None:
    with pytest.raises(ActorNotAllowed):
        mri("synchromed-ii-20").clear(actor=RN, at=T0)


def test_emptying_after_the_scan_time_or_beyond_capacity_is_refused() -> None:
    plan = mri("prometra-ii-20")
    with pytest.raises(ValueOutOfRange, match="emptying time"):
        plan.record_emptying(actor=RN, at=SCAN + dt.timedelta(minutes=1), volume_withdrawn=ml("10"))
    with pytest.raises(ValueOutOfRange, match="volume withdrawn"):
        plan.record_emptying(actor=RN, at=T0, volume_withdrawn=ml("21"))


def test_a_scan_before_clearance_and_a_second_clearance_are_illegal() -> None:
    plan = mri("synchromed-ii-40")
    with pytest.raises(MriStateError, match="is planned: cannot record the scan"):
        plan.record_scan(actor=RN, at=SCAN)
    plan.clear(actor=DR, at=T0)
    with pytest.raises(MriStateError, match="is cleared: cannot clear"):
        plan.clear(actor=DR, at=T0)
    with pytest.raises(MriStateError, match="is cleared: cannot record the pump emptying"):
        plan.record_emptying(actor=RN, at=T0, volume_withdrawn=ml("1"))


def test_cancelling_after_an_emptying_still_leaves_a_restart_task() -> None:
    plan = mri("prometra-ii-20")
    plan.record_emptying(actor=RN, at=T0, volume_withdrawn=ml("12"))
    plan.cancel(actor=RN, at=T0 + dt.timedelta(hours=1), reason="scan postponed")
    assert plan.state is MriState.CANCELLED
    assert plan.task is not None
    assert "refill and restart" in plan.task.reason
