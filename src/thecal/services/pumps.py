"""Pump use cases: implant a pump (record + the device behind the driver), read a pump.

``implant_pump`` is one transaction: authorize → validate the implant record (priming bolus from
the devices, SR-14) → create the pump behind the driver, fill it, program it and give the priming
bolus → store the pump, the implant record and the post-implant monitoring task → audit → commit.
Device commands run after every check that can refuse the request, so a refused implant sends
nothing; the twin's command log is part of the same transaction (adapters/twin/store.py).

``open_pump_form`` opens a blank form about a pump (an MRI plan) only for an actor the policy allows
the write the form leads to; the read of the pump is audited.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.errors import Conflict
from thecal.domain.implant import ImplantRecord, record_implant
from thecal.domain.library import reference_library
from thecal.domain.patient import PatientNotFound
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Volume
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_devices import ClinicPumpDriver, ImplantSpec
from thecal.services.pump_driver import ProgramAck
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.pump_reservoir import refresh_refill_due
from thecal.services.repositories.tasks import StoredTask
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "GetPump",
    "ImplantPump",
    "ImplantResult",
    "OpenPumpForm",
    "PumpSerialInUse",
    "get_pump",
    "implant_pump",
    "open_pump_form",
    "seed_for",
]


class PumpSerialInUse(Conflict):
    code = "THC-PUMP-003"
    template = "a pump with serial {serial} is already recorded"


def seed_for(serial: str) -> int:
    """The twin's seed for a serial: stable across processes (SHA-256, first 8 bytes)."""
    return int.from_bytes(hashlib.sha256(serial.encode("utf-8")).digest()[:8], "big") >> 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplantPump:
    actor: Actor
    patient_id: str
    pump_model_id: str
    pump_serial: str
    catheter_model_id: str
    catheter_length_cm: Decimal
    catheter_tip_level: str
    initial_fill: Admixture
    fill_volume: Volume
    initial_program: InfusionProgram
    pump_id: str | None = None  # generated when not given
    implant_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplantResult:
    pump: Pump
    implant: ImplantRecord
    program_ack: ProgramAck
    priming_volume: Volume


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPump:
    actor: Actor
    pump_id: str


def implant_pump(
    cmd: ImplantPump, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> ImplantResult:
    """Record an implant and bring the pump up: fill, initial program, priming bolus.

    Raises:
        AccessDenied; PatientNotFound; PumpSerialInUse; UnknownReference (model ids);
        ValueOutOfRange / ImplantInvalid (the implant record's checks); DeviceError.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PUMP_IMPLANT, subject)
    library = reference_library()
    model, catheter = library.pump(cmd.pump_model_id), library.catheter(cmd.catheter_model_id)
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        if uow.pumps.get_by_serial(cmd.pump_serial.strip()) is not None:
            raise PumpSerialInUse(serial=cmd.pump_serial.strip())
        record = record_implant(
            implant_id=cmd.implant_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            surgeon=cmd.actor,
            performed_at=now,
            pump=model,
            pump_serial=cmd.pump_serial,
            catheter=catheter,
            catheter_length_cm=cmd.catheter_length_cm,
            catheter_tip_level=cmd.catheter_tip_level,
            initial_fill=cmd.initial_fill,
            fill_volume=cmd.fill_volume,
            initial_program=cmd.initial_program,
        )
        serial = record.pump_serial
        driver.implant(
            ImplantSpec(
                serial=serial,
                model_id=model.id,
                catheter_model_id=catheter.id,
                catheter_length_cm=record.catheter_length_cm,
                at=now,
                seed=seed_for(serial),
            )
        )
        driver.inject(serial, volume=record.fill_volume, admixture=record.initial_fill)
        ack = driver.program(serial, record.initial_program)
        priming = driver.priming_bolus(serial)
        pump = Pump(
            id=cmd.pump_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            model_id=model.id,
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
            fill_bolus=priming,
            rng_seed=seed_for(serial),
        )
        refresh_refill_due(pump)  # from the fill less the priming bolus (first fill: S12)
        uow.pumps.add(pump)
        uow.implants.add(record, pump_id=pump.id)
        task = StoredTask(id=str(uuid.uuid4()), task=record.monitoring_task, created_at=now)
        uow.tasks.add(task)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_IMPLANT,
            subject=subject,
            at=now,
            details={
                "pump_id": pump.id,
                "implant_id": record.implant_id,
                "pump_model": model.id,
                "serial": serial,
                "catheter_model": catheter.id,
                "catheter_length_cm": str(record.catheter_length_cm),
                "catheter_tip_level": record.catheter_tip_level,
                "fill_volume_ml": str(record.fill_volume.ml),
                "admixture": record.initial_fill.describe(),
                "priming_volume_ml": str(priming.ml),
                "program_ack": ack.value,
                "task_id": task.id,
            },
        )
        replan_visits(uow, pump.patient_id)  # the visits its facts ask for
        uow.commit()
    return ImplantResult(pump=pump, implant=record, program_ack=ack, priming_volume=priming)


def get_pump(cmd: GetPump, *, uow: AbstractUnitOfWork, clock: Clock) -> Pump:
    """One pump as the clinic recorded it (an audited PHI read)."""
    authorize_function(cmd.actor, Action.PUMP_READ)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PUMP_READ, subject)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "version": pump.version},
        )
        uow.commit()
    return pump


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenPumpForm:
    actor: Actor
    pump_id: str
    action: Action  # e.g. Action.MRI_PLAN


def open_pump_form(cmd: OpenPumpForm, *, uow: AbstractUnitOfWork, clock: Clock) -> Pump:
    """The pump, if the actor may make the form's write for its patient.

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, cmd.action)
    pump = get_pump(GetPump(actor=cmd.actor, pump_id=cmd.pump_id), uow=uow, clock=clock)
    authorize(cmd.actor, cmd.action, Subject.patient(pump.patient_id))
    return pump
