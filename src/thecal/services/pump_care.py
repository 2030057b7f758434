"""Which actions a pump's place in the clinic's care allows (docs/pathway.md, "A pump out of care").

A pump that was explanted, transferred to another clinic or whose therapy was discontinued is
never treated again: every treating action on it (refill, pharmacy verification, program change
proposal, signature, co-signature and send, admixture change, patient bolus) is refused with
:class:`~thecal.domain.device_event_record.PumpOutOfCare` (THC-PATH-062) before anything changes
or reaches the pump. Reading its record stays allowed. A discontinued pump is still implanted and
may be interrogated (its alarms and battery still matter); an explanted or transferred one not.

When a pump leaves care, its pending program and admixture changes (proposed, signed,
co-signed, not delivered: not on their way to the pump) are withdrawn by the event with the
reason recorded and audited (:func:`withdraw_pending_changes`).
"""

from __future__ import annotations

import datetime as dt

from thecal.domain.authorization import Action, Subject
from thecal.domain.device_event_record import PumpOutOfCare
from thecal.domain.program_change import ProgramChange, ProgramChangeState
from thecal.domain.users import Actor
from thecal.services.pump_record import Pump, PumpState
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "INTERROGABLE",
    "IN_CARE",
    "require_in_care",
    "withdraw_pending_changes",
]

#: The states in which a pump may be treated (refilled, programmed, verified for, bolused).
IN_CARE: frozenset[PumpState] = frozenset({PumpState.ACTIVE})
#: The states in which a pump may be interrogated: still implanted and in this clinic's care.
INTERROGABLE: frozenset[PumpState] = frozenset({PumpState.ACTIVE, PumpState.DISCONTINUED})

#: A change not on its way to the pump, withdrawn when its pump leaves care.
_UNSENT = frozenset(
    {
        ProgramChangeState.PROPOSED,
        ProgramChangeState.REVIEWED,
        ProgramChangeState.BLOCKED,
        ProgramChangeState.SIGNED,
        ProgramChangeState.CO_SIGNED,
        ProgramChangeState.NOT_DELIVERED,
    }
)


def require_in_care(pump: Pump, what: str, *, allowed: frozenset[PumpState] = IN_CARE) -> None:
    """Raise :class:`PumpOutOfCare` (THC-PATH-062) naming the pump's state and ``what`` was
    asked unless the pump's state is in ``allowed``."""
    if pump.state not in allowed:
        raise PumpOutOfCare(ident=pump.id, state=pump.state.value, action=what)


def withdraw_pending_changes(
    uow: AbstractUnitOfWork,
    pump: Pump,
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
) -> list[ProgramChange]:
    """Withdraw every unsent program or admixture change of ``pump`` (inside the event's
    transaction), each with ``reason`` and its own audit entry; returns the changes withdrawn."""
    withdrawn: list[ProgramChange] = []
    for change in uow.program_changes.for_pump(pump.id):
        if change.state not in _UNSENT:
            continue
        change.withdraw(actor=actor, reason=reason, at=at)
        uow.program_changes.update(change)
        uow.audit.record(
            actor=actor,
            action=Action.PROGRAM_WITHDRAW,
            subject=Subject.patient(pump.patient_id),
            at=at,
            details={
                "change_id": change.change_id,
                "pump_id": pump.id,
                "state": change.state.value,
                "version": change.version,
                "reason": change.withdrawal_reason,
                "by_event": True,
            },
        )
        withdrawn.append(change)
    return withdrawn
