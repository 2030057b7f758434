"""What every device event shares: the pump in the clinic's care, the final withdrawal, the record
and its audit entry, and reading a pump's events (``domain/device_event_record.py``).

Each event's use case (``pump_replacements``, ``catheter_revisions``, ``therapy_discontinuations``,
``interruptions``, ``care_transfers``) is one transaction: authorize → lock the pump and check the
version the screen showed → every check that can refuse → the device commands → the records →
one :class:`DeviceEventRecord` → audit → commit. A refused event changes nothing and sends
nothing to the pump; a retried one (same ``event_id``) returns the stored record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord
from thecal.domain.errors import NotFound
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.refill.reconciliation import Reconciliation, reconcile
from thecal.domain.units import plain
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device import record_snapshot
from thecal.services.pump_care import IN_CARE, require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_record import Pump, PumpNotFound, PumpState
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "DeviceEventNotFound",
    "GetDeviceEvents",
    "already_recorded",
    "final_withdrawal",
    "list_device_events",
    "pump_in_care",
    "reconciliation_facts",
    "store_event",
]


class DeviceEventNotFound(NotFound):
    code = "THC-PATH-067"
    template = "device event {ident} not found"


def pump_in_care(
    uow: AbstractUnitOfWork,
    actor: Actor,
    action: Action,
    *,
    pump_id: str,
    expected_version: int,
    what: str,
    allowed: frozenset[PumpState] = IN_CARE,
) -> Pump:
    """The pump, locked for this transaction, if the actor may act on it and it is in care.

    Raises:
        PumpNotFound; AccessDenied; StalePumpVersion; PumpOutOfCare (THC-PATH-062).
    """
    pump = uow.pumps.get_for_update(pump_id)
    if pump is None:
        raise PumpNotFound(ident=pump_id)
    authorize(actor, action, Subject.patient(pump.patient_id))
    pump.check_version(expected_version)
    require_in_care(pump, what, allowed=allowed)
    return pump


def final_withdrawal(
    uow: AbstractUnitOfWork,
    pump: Pump,
    driver: ClinicPumpDriver,
    *,
    actor: Actor,
    at: dt.datetime,
) -> Reconciliation:
    """Interrogate, empty the reservoir through the port and reconcile the pump's count with the
    volume withdrawn, as at a refill (S73–S75); the record then holds 0 mL."""
    snapshot = driver.interrogate(pump.serial)
    record_snapshot(uow, pump, snapshot, actor=actor, at=at)
    expected = min(snapshot.reservoir_estimate, pump.reservoir_volume)
    measured = min(driver.withdraw_residual(pump.serial).measured, pump.reservoir_volume)
    return reconcile(
        pump=reference_library().pump(pump.model_id),
        last_fill_volume=pump.reservoir_volume,
        expected_residual=expected,
        measured_residual=measured,
    )


def reconciliation_facts(reconciliation: Reconciliation) -> dict[str, str]:
    return {
        "expected_residual_ml": plain(reconciliation.expected_residual.ml),
        "withdrawn_residual_ml": plain(reconciliation.measured_residual.ml),
        "discrepancy_ml": plain(reconciliation.discrepancy.ml),
        "reconciliation": reconciliation.verdict.value,
    }


def store_event(
    uow: AbstractUnitOfWork,
    *,
    event_id: str,
    pump: Pump,
    kind: DeviceEventKind,
    actor: Actor,
    action: Action,
    at: dt.datetime,
    summary: str,
    facts: Mapping[str, str],
    related_pump_id: str | None = None,
    program: InfusionProgram | None = None,
) -> DeviceEventRecord:
    """Write the event's record and its audit entry (inside the use case's transaction)."""
    record = DeviceEventRecord(
        event_id=event_id,
        patient_id=pump.patient_id,
        pump_id=pump.id,
        kind=kind,
        at=at,
        recorded_by=actor.user_id,
        summary=summary,
        facts=dict(facts),
        related_pump_id=related_pump_id,
        program=program,
    )
    uow.device_events.add(record)
    uow.audit.record(
        actor=actor,
        action=action,
        subject=Subject.patient(pump.patient_id),
        at=at,
        details={
            "event_id": event_id,
            "kind": kind.value,
            "pump_id": pump.id,
            "related_pump_id": related_pump_id,
            "summary": summary,
            **dict(facts),
        },
    )
    return record


def already_recorded(
    uow: AbstractUnitOfWork, event_id: str | None, kind: DeviceEventKind
) -> DeviceEventRecord | None:
    """The stored event of a retried request (same id and kind), else None."""
    if event_id is None:
        return None
    found = uow.device_events.get(event_id)
    return found if found is not None and found.kind is kind else None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetDeviceEvents:
    actor: Actor
    pump_id: str


def list_device_events(
    cmd: GetDeviceEvents, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[DeviceEventRecord]:
    """The events of one pump's life, oldest first (an audited PHI read)."""
    authorize_function(cmd.actor, Action.DEVICE_EVENT_READ)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.DEVICE_EVENT_READ, subject)
        events = list(uow.device_events.for_pump(pump.id))
        uow.audit.record(
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "events": len(events)},
        )
        uow.commit()
    return events
