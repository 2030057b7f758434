"""Which actions a pump's place in the clinic's care allows (docs/pathway.md, "A pump out of care").

A pump that was explanted, transferred to another clinic or whose therapy was discontinued is
never treated again: every treating action on it (refill, pharmacy verification, program change
proposal, signature, co-signature and send, admixture change, patient bolus) is refused with
:class:`~thecal.domain.device_event_record.PumpOutOfCare` (THC-PATH-062) before anything changes
or reaches the pump. Reading its record stays allowed. A discontinued pump is still implanted and
may be interrogated (its alarms and battery still matter); an explanted or transferred one not.

When a pump leaves care, its pending program and admixture changes (proposed, signed,
co-signed, not delivered, and sent but not yet confirmed by an interrogation: no interrogation
here will settle them now) are withdrawn by the event with the reason recorded and audited
(:func:`withdraw_pending_changes`; their open re-send and failure-review tasks close as
``change-withdrawn``), and its unused pharmacy verifications are voided with the same
reason so that no syringe verified for it can be filled (:func:`void_unused_verifications`).
"""

from __future__ import annotations

import datetime as dt

from thecal.domain.authorization import Action, Subject
from thecal.domain.device_event_record import PumpOutOfCare
from thecal.domain.program_change import ProgramChange, ProgramChangeState
from thecal.domain.users import Actor
from thecal.services.pump_record import Pump, PumpState
from thecal.services.tasks import close_for_withdrawn_change
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "INTERROGABLE",
    "IN_CARE",
    "leave_care",
    "require_in_care",
    "void_unused_verifications",
    "withdraw_pending_changes",
]

#: The states in which a pump may be treated (refilled, programmed, verified for, bolused).
IN_CARE: frozenset[PumpState] = frozenset({PumpState.ACTIVE})
#: The states in which a pump may be interrogated: still implanted and in this clinic's care.
INTERROGABLE: frozenset[PumpState] = frozenset({PumpState.ACTIVE, PumpState.DISCONTINUED})

#: A change not settled by an interrogation, withdrawn when its pump leaves care.
_UNSETTLED = frozenset(
    {
        ProgramChangeState.PROPOSED,
        ProgramChangeState.REVIEWED,
        ProgramChangeState.BLOCKED,
        ProgramChangeState.SIGNED,
        ProgramChangeState.CO_SIGNED,
        ProgramChangeState.SENT,
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
    """Withdraw every unsettled program or admixture change of ``pump`` (sent but unconfirmed
    ones too), inside the event's transaction, each with ``reason`` and its own audit entry;
    returns the changes withdrawn."""
    withdrawn: list[ProgramChange] = []
    for change in uow.program_changes.for_pump(pump.id):
        if change.state not in _UNSETTLED:
            continue
        was = change.state.value
        change.withdraw_as_pump_left_care(actor=actor, reason=reason, at=at)
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
                "was": was,
                "by_event": True,
            },
        )
        close_for_withdrawn_change(
            uow, change_id=change.change_id, patient_id=pump.patient_id, actor=actor, at=at
        )
        withdrawn.append(change)
    return withdrawn


def void_unused_verifications(
    uow: AbstractUnitOfWork,
    pump: Pump,
    *,
    actor: Actor,
    action: Action,
    at: dt.datetime,
    reason: str,
) -> list[str]:
    """Void every unused pharmacy verification of ``pump`` (inside the event's transaction) with
    ``reason``, each audited under the event's ``action``; returns their codes."""
    voided: list[str] = []
    for verification in uow.pharmacy.unused_for_pump(pump.id):
        verification.void(reason=reason, at=at, by=actor.user_id)
        uow.pharmacy.update(verification)
        uow.audit.record(
            actor=actor,
            action=action,
            subject=Subject.patient(pump.patient_id),
            at=at,
            details={
                "verification_id": verification.id,
                "pump_id": pump.id,
                "lot": verification.label.lot,
                "voided": True,
                "reason": reason,
            },
        )
        voided.append(verification.id)
    return voided


def leave_care(
    uow: AbstractUnitOfWork,
    pump: Pump,
    *,
    actor: Actor,
    action: Action,
    at: dt.datetime,
    reason: str,
) -> tuple[dict[str, str], str]:
    """Everything a pump leaving care takes with it: its unsettled program changes withdrawn and
    its unused pharmacy verifications voided, with ``reason`` naming the event. Returns the facts
    for the event (``withdrawn_changes``, ``voided_verifications``) and a clause for its summary
    (empty when there was nothing to clean up)."""
    withdrawn = withdraw_pending_changes(uow, pump, actor=actor, at=at, reason=reason)
    voided = void_unused_verifications(uow, pump, actor=actor, action=action, at=at, reason=reason)
    parts = []
    if withdrawn:
        parts.append(
            f"{len(withdrawn)} unconfirmed program change{'s' if len(withdrawn) > 1 else ''}"
            " withdrawn"
        )
    if voided:
        parts.append(
            f"{len(voided)} unused pharmacy verification{'s' if len(voided) > 1 else ''}"
            f" voided ({', '.join(voided)})"
        )
    facts = {
        "withdrawn_changes": ", ".join(c.change_id for c in withdrawn),
        "voided_verifications": ", ".join(voided),
    }
    return facts, ("; " + "; ".join(parts)) if parts else ""
