"""Transfer of care (issue 12 §3): the patient's pump care leaves for, or arrives from, another clinic.

* out: the pump, active in this clinic, is marked ``transferred``: it leaves the refill worklist
  and takes no clinical command here; the record and the FHIR export say where care went.
* in: a pump arriving (recorded on arrival, no event before) or coming back (``transferred``)
  is in this clinic's care again (``active``); the record says where it came from.

Nothing reaches the pump: a transfer changes who looks after it, not what it does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import Enum

from thecal.domain.authorization import Action, authorize_function
from thecal.domain.date_plausibility import RECORDED_INSTANT, check_instant
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord, PumpOutOfCare
from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device_event_records import already_recorded, pump_in_care, store_event
from thecal.services.pump_care import leave_care
from thecal.services.pump_record import PumpState
from thecal.services.pump_reservoir import refresh_refill_due
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["TransferCare", "TransferDirection", "transfer_care"]


class TransferDirection(Enum):
    OUT = "out"  # leaves for another clinic
    IN = "in"  # arrives from another clinic


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCare:
    actor: Actor
    pump_id: str
    expected_pump_version: int
    direction: TransferDirection
    clinic: str  # the other clinic, as the clinician names it
    note: str = ""
    #: The date care passes (None: now); not in the future.
    effective_at: dt.datetime | None = None
    event_id: str | None = None


def transfer_care(cmd: TransferCare, *, uow: AbstractUnitOfWork, clock: Clock) -> DeviceEventRecord:
    """Record a transfer of care out of or into this clinic.

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        RequestInvalid (no clinic named, a future date).
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_TRANSFER)
    now = clock.now()
    clinic = cmd.clinic.strip()
    if not clinic:
        raise RequestInvalid(where="clinic", detail="name the other clinic")
    at = cmd.effective_at or now
    if at > now:
        raise RequestInvalid(where="transfer date", detail=f"{at.isoformat()} is in the future")
    check_instant("transfer date", at, RECORDED_INSTANT, now=now)
    kind = (
        DeviceEventKind.TRANSFER_OUT
        if cmd.direction is TransferDirection.OUT
        else DeviceEventKind.TRANSFER_IN
    )
    with uow:
        stored = already_recorded(uow, cmd.event_id, kind)
        if stored is not None:
            return stored
        allowed = (
            frozenset({PumpState.ACTIVE})
            if cmd.direction is TransferDirection.OUT
            else frozenset({PumpState.ACTIVE, PumpState.TRANSFERRED})
        )
        pump = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_TRANSFER,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="a transfer of care " + cmd.direction.value,
            allowed=allowed,
        )
        if (
            cmd.direction is TransferDirection.IN
            and pump.state is PumpState.ACTIVE
            and list(uow.device_events.for_pump(pump.id))
        ):
            raise PumpOutOfCare(
                ident=pump.id, state="already in this clinic's care", action="a transfer in"
            )
        cleaned = {"withdrawn_changes": "", "voided_verifications": ""}
        if cmd.direction is TransferDirection.OUT:
            pump.record_care(PumpState.TRANSFERRED)
            cleaned, clause = leave_care(
                uow,
                pump,
                actor=cmd.actor,
                action=Action.DEVICE_EVENT_TRANSFER,
                at=now,
                reason=f"care of the pump was transferred to {clinic}",
            )
            summary = f"care transferred to {clinic}{clause}"
        else:
            pump.record_care(PumpState.ACTIVE)
            refresh_refill_due(pump)  # due again here, from the record's reservoir
            summary = f"care transferred from {clinic}"
        uow.pumps.update(pump)
        if cmd.note.strip():
            summary += f": {cmd.note.strip()}"
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=pump,
            kind=kind,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_TRANSFER,
            at=at,
            summary=summary,
            facts={
                "direction": cmd.direction.value,
                "clinic": clinic,
                "note": cmd.note.strip(),
                **cleaned,
            },
        )
        replan_visits(uow, pump.patient_id)
        uow.commit()
    return event
