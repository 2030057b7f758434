"""Catheter revision (issue 12 §3): a new catheter (model or length), so a new dead space.

One transaction: the pump in care at the version the screen showed; the new catheter's dead space
and the catheter-only priming planned (``domain.catheter_revision``; the pump path still holds
the admixture, so priming it again would push drug out as a bolus, S53); where the pump has a
catheter access port, its check (CSF aspirated through the CAP with a 24-gauge non-coring needle;
never an injection through it, S54) — no CSF refuses the priming (THC-PATH-068) and records
nothing. Then the device: the new catheter in (the twin: the old catheter's fluid leaves with it,
the new one holds CSF), the catheter primed; the record's catheter updated; the event stated with
the drug the priming pushes to the tip, per drug in the drug's own unit; audit; commit.

The priming volume comes from the reservoir: the record's estimate of the reservoir does not
include it until the next interrogation re-anchors the estimate to the pump's count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.authorization import Action, authorize_function
from thecal.domain.catheter_revision import (
    CAP_SOURCES,
    CapCheck,
    has_catheter_access_port,
    plan_catheter_revision,
)
from thecal.domain.device_event_record import CatheterNotPatent, DeviceEventKind, DeviceEventRecord
from thecal.domain.errors import RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.quantity_display import shown
from thecal.domain.trial.plan import spinal_level
from thecal.domain.units import plain
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device_event_records import already_recorded, pump_in_care, store_event
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["ReviseCatheter", "revise_catheter"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviseCatheter:
    actor: Actor
    pump_id: str
    expected_pump_version: int
    catheter_model_id: str
    implanted_length_cm: Decimal
    tip_level: str
    #: The catheter access port check, where the pump has a port (None: not recorded).
    cap_check: CapCheck | None = None
    event_id: str | None = None


def revise_catheter(
    cmd: ReviseCatheter, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> DeviceEventRecord:
    """Record a catheter revision and prime the new catheter only.

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        UnknownReference (catheter model); ValueOutOfRange (length, tip level);
        RequestInvalid (a CAP check on a pump without one); CatheterNotPatent (THC-PATH-068);
        DeviceError.
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_RECORD)
    library = reference_library()
    now = clock.now()
    with uow:
        stored = already_recorded(uow, cmd.event_id, DeviceEventKind.CATHETER_REVISION)
        if stored is not None:
            return stored
        pump = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_RECORD,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="a catheter revision",
        )
        model = library.pump(pump.model_id)
        catheter = library.catheter(cmd.catheter_model_id)
        tip_level = spinal_level(cmd.tip_level)
        old_catheter = library.catheter(pump.catheter_model_id)
        plan = plan_catheter_revision(
            catheter=catheter,
            implanted_length_cm=cmd.implanted_length_cm,
            old_dead_space=old_catheter.dead_space(pump.catheter_length_cm),
            pump=model,
            admixture=pump.admixture,
        )
        supplied = catheter.supplied_length_cm
        if supplied is not None and cmd.implanted_length_cm > supplied.value:
            raise RequestInvalid(
                where="implanted catheter length",
                detail=(
                    f"{cmd.implanted_length_cm} cm is longer than the {catheter.name} as supplied"
                    f" ({supplied.value} cm, {supplied.cite()})"
                ),
            )
        cap = has_catheter_access_port(model)
        if cmd.cap_check is not None and not cap:
            raise RequestInvalid(
                where="catheter access port check",
                detail=f"the {model.name} has no catheter access port in the pump data",
            )
        if cmd.cap_check is CapCheck.NO_CSF:
            raise CatheterNotPatent()
        # ---- the device: the new catheter in, then the catheter alone primed
        new_dead_space = driver.revise_catheter(
            pump.serial,
            catheter_model_id=catheter.id,
            length_cm=cmd.implanted_length_cm,
        )
        primed = driver.catheter_priming(pump.serial)
        pump.record_catheter(
            model_id=catheter.id, length_cm=cmd.implanted_length_cm, tip_level=tip_level
        )
        uow.pumps.update(pump)
        pushed = plan.drug_pushed_text(library.drugs)
        cap_text = (
            ""
            if not cap
            else f"; catheter access port: {(cmd.cap_check or CapCheck.NOT_DONE).value}"
            f" ({CAP_SOURCES[model.manufacturer]})"
        )
        summary = (
            f"new catheter {catheter.name}, {cmd.implanted_length_cm} cm to {tip_level}: dead space"
            f" {shown(new_dead_space)} (was {shown(plan.old_dead_space)}); the catheter alone"
            f" primed with {shown(primed)}, pushing {pushed} to the tip (the pump path still holds"
            f" drug, S53){cap_text}"
        )
        facts = {
            "catheter_model": catheter.id,
            "implanted_length_cm": plain(cmd.implanted_length_cm),
            "tip_level": tip_level,
            "old_catheter_model": old_catheter.id,
            "old_dead_space_ml": plain(plan.old_dead_space.ml),
            "new_dead_space_ml": plain(new_dead_space.ml),
            "priming_volume_ml": plain(primed.ml),
            "priming_mode": plan.priming.mode.value,
            **{
                f"pushed_{drug_id}_mcg": plain(mass.mcg)
                for drug_id, mass in plan.drug_pushed.items()
            },
            "drug_pushed": pushed,
            "catheter_access_port": "none"
            if not cap
            else (cmd.cap_check or CapCheck.NOT_DONE).value,
        }
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=pump,
            kind=DeviceEventKind.CATHETER_REVISION,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            summary=summary,
            facts=facts,
        )
        replan_visits(uow, pump.patient_id)
        uow.commit()
    return event
