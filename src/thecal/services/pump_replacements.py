"""Pump replacement (issue 12 §3): the old pump out, a new one in with the therapy carried over.

One transaction, in the order of the operation:

1. every check that can refuse, before anything reaches a pump: the old pump in care at the
   version the screen showed; the new serial unused; the new model able to run the therapy
   (``domain.pump_replacement.carry_over``: flow in range for the basal dose and every flex step,
   drug approvals, accuracy band as a note — THC-PATH-060 names every problem at once); the
   implant record of the new pump (fill volume within its reservoir);
2. the old pump: final interrogation, withdrawal of the residual and reconciliation against the
   pump's count (as at a refill), then explant — its twin takes no more commands, its command log
   and its records stay;
3. the new pump: implanted on the same catheter, filled with the same admixture, programmed with
   the same program, its path (catheter + pump path) primed (S53); the post-implant monitoring
   task stored as after any implant;
4. the event record on the old pump, naming the new one; audit; commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from thecal.domain.authorization import Action, authorize_function
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord, SamePumpSerial
from thecal.domain.dosing import check_pump_flow
from thecal.domain.errors import DosingError
from thecal.domain.implant import record_implant
from thecal.domain.library import reference_library
from thecal.domain.program import ProgramMode
from thecal.domain.pump_replacement import ReplacementReason, TherapyNotCarriedOver, carry_over
from thecal.domain.quantity_display import shown
from thecal.domain.units import Volume, plain
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device_event_records import (
    already_recorded,
    final_withdrawal,
    pump_in_care,
    reconciliation_facts,
    store_event,
)
from thecal.services.pump_care import leave_care
from thecal.services.pump_devices import ClinicPumpDriver, ImplantSpec
from thecal.services.pump_record import Pump
from thecal.services.pump_reservoir import refresh_refill_due
from thecal.services.pumps import PumpSerialInUse, seed_for
from thecal.services.repositories.tasks import StoredTask
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["ReplacePump", "replace_pump"]

_REASONS = {
    ReplacementReason.ELECTIVE_REPLACEMENT: "at its elective replacement indicator",
    ReplacementReason.END_OF_SERVICE: "at end of service",
    ReplacementReason.FAILURE: "after a failure",
    ReplacementReason.MODEL_CHANGE: "for a change of model",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplacePump:
    actor: Actor
    pump_id: str  # the pump that comes out
    expected_pump_version: int
    reason: ReplacementReason
    new_pump_model_id: str
    new_pump_serial: str
    fill_volume: Volume  # of the same admixture, into the new reservoir
    event_id: str | None = None  # a retried request with the same id returns the stored event
    new_pump_id: str | None = None


def _check_steps(old: Pump, carried_model_name: str, *, new_model_id: str) -> None:
    """Every flex step's flow must also lie in the new model's range."""
    program = old.program
    if program.mode is not ProgramMode.FLEX:
        return
    model = reference_library().pump(new_model_id)
    problems = []
    for step in program.steps:
        if step.rate.value == 0:
            continue
        try:
            check_pump_flow(
                step.rate,
                program.admixture.primary.concentration,
                model,
                drug_id=program.admixture.primary.drug_id,
            )
        except DosingError as error:
            problems.append(f"flex step at {shown(step.start)}: {error.message}")
    if problems:
        old_name = reference_library().pump(old.model_id).name
        raise TherapyNotCarriedOver(
            old_model=old_name, new_model=carried_model_name, problems="; ".join(problems)
        )


def replace_pump(
    cmd: ReplacePump, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> DeviceEventRecord:
    """Replace a pump; returns the event (its ``related_pump_id`` is the new pump).

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        SamePumpSerial (THC-PATH-066); PumpSerialInUse; TherapyNotCarriedOver (THC-PATH-060);
        ValueOutOfRange (fill volume); DeviceError.
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_RECORD)
    library = reference_library()
    now = clock.now()
    with uow:
        stored = already_recorded(uow, cmd.event_id, DeviceEventKind.PUMP_REPLACEMENT)
        if stored is not None:
            return stored
        old = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_RECORD,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="a replacement",
        )
        serial = cmd.new_pump_serial.strip()
        if serial == old.serial:
            raise SamePumpSerial(serial=serial)
        if uow.pumps.get_by_serial(serial) is not None:
            raise PumpSerialInUse(serial=serial)
        old_model, new_model = library.pump(old.model_id), library.pump(cmd.new_pump_model_id)
        catheter = library.catheter(old.catheter_model_id)
        names = {drug_id: library.drug(drug_id).name for drug_id in old.admixture.drug_ids}
        carried = carry_over(
            old_model=old_model,
            new_model=new_model,
            admixture=old.program.admixture,
            daily_dose=old.program.basal_daily_dose,
            catheter_volume=catheter.dead_space(old.catheter_length_cm),
            drug_names=names,
        )
        _check_steps(old, new_model.name, new_model_id=new_model.id)
        record = record_implant(
            implant_id=str(uuid.uuid4()),
            patient_id=old.patient_id,
            surgeon=cmd.actor,
            performed_at=now,
            pump=new_model,
            pump_serial=serial,
            catheter=catheter,
            catheter_length_cm=old.catheter_length_cm,
            catheter_tip_level=old.catheter_tip_level,
            initial_fill=old.program.admixture,
            fill_volume=cmd.fill_volume,
            initial_program=old.program,
        )
        # ---- the old pump: final withdrawal and reconciliation, explant
        reconciliation = final_withdrawal(uow, old, driver, actor=cmd.actor, at=now)
        reason = f"replaced {_REASONS[cmd.reason]} by the {new_model.name} {serial}"
        driver.explant(old.serial, reason=reason)
        old.record_explanted(at=now)
        uow.pumps.update(old)
        cleaned, clause = leave_care(
            uow,
            old,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            reason=f"the pump {old.serial} was {reason}: propose and verify again for the new pump",
        )
        # ---- the new pump: implant, fill, the same program, priming of the new path
        driver.implant(
            ImplantSpec(
                serial=serial,
                model_id=new_model.id,
                catheter_model_id=catheter.id,
                catheter_length_cm=record.catheter_length_cm,
                at=now,
                seed=seed_for(serial),
            )
        )
        driver.inject(serial, volume=record.fill_volume, admixture=record.initial_fill)
        ack = driver.program(serial, record.initial_program)
        primed = driver.priming_bolus(serial)
        new = Pump(
            id=cmd.new_pump_id or str(uuid.uuid4()),
            patient_id=old.patient_id,
            model_id=new_model.id,
            serial=serial,
            implant_id=record.implant_id,
            implanted_at=now,
            catheter_model_id=catheter.id,
            catheter_length_cm=record.catheter_length_cm,
            catheter_tip_level=record.catheter_tip_level,
            admixture=record.initial_fill,
            reservoir_volume=record.fill_volume,
            last_filled_at=now,
            program=record.initial_program,
            program_since=now,
            program_effective_from=now,
            fill_bolus=primed,
            rng_seed=seed_for(serial),
        )
        refresh_refill_due(new)
        uow.pumps.add(new)
        uow.implants.add(record, pump_id=new.id)
        task = StoredTask(id=str(uuid.uuid4()), task=record.monitoring_task, created_at=now)
        uow.tasks.add(task)
        pushed = ", ".join(
            f"{names[drug_id]} {shown(mass, mass=library.drug(drug_id).dose_unit)}"
            for drug_id, mass in carried.priming.drug_in_volume.items()
        )
        summary = (
            f"the {old_model.name} {old.serial} {reason}; the therapy is carried over at"
            f" {shown(old.program.basal_daily_dose, mass=library.drug(old.admixture.primary.drug_id).dose_unit)}"
            f" ({shown(carried.flow)}); the new path (catheter + pump path) primed with"
            f" {shown(primed)} holding {pushed}{clause}"
        )
        facts = {
            "reason": cmd.reason.value,
            "old_pump_model": old_model.id,
            "old_serial": old.serial,
            "new_pump_model": new_model.id,
            "new_serial": serial,
            "flow_ml_per_day": plain(carried.flow.ml_per_day),
            "fill_volume_ml": plain(record.fill_volume.ml),
            "priming_volume_ml": plain(primed.ml),
            **{
                f"priming_{drug_id}_mcg": plain(mass.mcg)
                for drug_id, mass in carried.priming.drug_in_volume.items()
            },
            "program_ack": ack.value,
            "notes": "; ".join(carried.notes),
            **reconciliation_facts(reconciliation),
            **cleaned,
        }
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=old,
            kind=DeviceEventKind.PUMP_REPLACEMENT,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            summary=summary,
            facts={**facts, "task_id": task.id},
            related_pump_id=new.id,
            program=record.initial_program,
        )
        replan_visits(uow, old.patient_id)
        uow.commit()
    return event
