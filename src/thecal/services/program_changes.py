"""Program changes: propose → review → sign (physician) → co-sign (a second clinician) → send
through the driver → confirmed by the next interrogation (``services/device.py``).

Each function is one transaction with authorization first and an audit entry. Rules kept here
(the state machine itself is ``domain/program_change.py``):

* propose: the review is built from the stored records (``review_context.py``); a ``block``
  finding raises :class:`~thecal.domain.program_change.ProgramChangeBlocked` and **nothing is
  stored**; the idempotency key is unique, so a retried proposal returns the first one
  (``ProposalOutcome.replayed``), proposes nothing and is audited as a read of that change; the
  key sent again with a different request is refused (``IdempotencyKeyReused``, 422), never
  replayed;
* sign/co-sign: the SR-16 token must match this change's diff digest, the signer and a fresh
  re-authentication (checked by the aggregate) **and** never have been spent on any change
  (``used_confirmation_tokens``, a global ledger);
* send: only from ``co-signed``/``not-delivered``, only if the pump still runs the program the
  diff was made from, and only if the caller saw the pump's current version; the pump is locked
  first. The driver's answer (acknowledged or uncertain) is recorded as it is, never guessed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from thecal.domain.admixture_change import AdmixtureChangeSentByRefill, AdmixtureTransition
from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.errors import Conflict, NotFound
from thecal.domain.idempotency import require_same_request
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    DEFAULT_CO_SIGNING_POLICY,
    ConfirmationRejected,
    ConfirmationToken,
    CoSigningPolicy,
    OverrideJustification,
    ProgramChange,
    ProgramChangeBlocked,
    ProgramChangeState,
    ProgramChangeStateError,
    SendOutcome,
    program_parameters,
)
from thecal.domain.program_entry import ProgramEntry, build_program
from thecal.domain.safety.context import (
    ActionKind,
    CurrentTherapy,
    Proposal,
    ReviewContext,
)
from thecal.domain.tasks import Task
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_care import require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import ProgramAck
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.pump_reservoir import refresh_refill_due
from thecal.services.repositories.program_changes import UsedToken
from thecal.services.repositories.tasks import StoredTask
from thecal.services.review_context import patient_facts, prescription_of, proposer, pump_state
from thecal.services.safety_gate import ReviewBlocked, review_or_block
from thecal.services.tasks import close_for_withdrawn_change
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "CoSignProgramChange",
    "GetProgramChange",
    "ProgramChangeNotFound",
    "ProposalKeyInUse",
    "ProposalOutcome",
    "ProposeProgramChange",
    "PumpProgramMoved",
    "SendProgramChange",
    "SignProgramChange",
    "WithdrawProgramChange",
    "cosign_program_change",
    "get_program_change",
    "pending_program_changes",
    "program_from_entry",
    "program_is_current",
    "propose_program_change",
    "send_program_change",
    "sign_program_change",
    "store_new_tasks",
    "withdraw_program_change",
]


class ProgramChangeNotFound(NotFound):
    code = "THC-PUMP-020"
    template = "program change {ident} not found"


class PumpProgramMoved(Conflict):
    code = "THC-PUMP-021"
    template = (
        "pump {pump_id} no longer runs the program program change {change_id} was made from: "
        "withdraw it and propose again from the current program"
    )


class ProposalKeyInUse(Conflict):
    code = "THC-PUMP-022"
    template = (
        "the idempotency key {key} was already used for a program change of another pump: "
        "send a new key for a proposal for pump {pump_id}"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposeProgramChange:
    actor: Actor
    pump_id: str
    new_program: InfusionProgram
    idempotency_key: str
    rationale: str = ""
    change_id: str | None = None  # generated when not given
    #: An admixture change (services/admixture_changes.py): sent by the refill that injects it.
    transition: AdmixtureTransition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalOutcome:
    change: ProgramChange
    replayed: bool = False  # True: the idempotency key was already used; nothing was proposed now


@dataclass(frozen=True, slots=True, kw_only=True)
class SignProgramChange:
    actor: Actor
    change_id: str
    token: ConfirmationToken  # from the edge's fresh re-authentication on the diff screen
    overrides: tuple[OverrideJustification, ...] = ()
    acknowledged_warnings: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSignProgramChange:
    actor: Actor
    change_id: str
    token: ConfirmationToken
    policy: CoSigningPolicy = DEFAULT_CO_SIGNING_POLICY  # the clinic's (the proposer may not)


@dataclass(frozen=True, slots=True, kw_only=True)
class SendProgramChange:
    actor: Actor
    change_id: str
    expected_pump_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawProgramChange:
    actor: Actor
    change_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProgramChange:
    actor: Actor
    change_id: str


def store_new_tasks(
    uow: AbstractUnitOfWork, tasks: Sequence[Task], *, before: int, at: dt.datetime
) -> list[str]:
    """Store the tasks an aggregate created during this transaction; returns their ids."""
    ids: list[str] = []
    for task in tasks[before:]:
        stored = StoredTask(id=str(uuid.uuid4()), task=task, created_at=at)
        uow.tasks.add(stored)
        ids.append(stored.id)
    return ids


def _summary(change: ProgramChange) -> dict[str, object]:
    return {
        "change_id": change.change_id,
        "state": change.state.value,
        "version": change.version,
        "diff_digest": change.diff.digest,
        "changes": [f"{e.parameter}: {e.old} → {e.new}" for e in change.diff.changes],
        "findings": [f"{f.code} {f.severity.value}" for f in change.findings],
    }


def _load(uow: AbstractUnitOfWork, change_id: str) -> ProgramChange:
    change = uow.program_changes.get_change(change_id)
    if change is None:
        raise ProgramChangeNotFound(ident=change_id)
    return change


def propose_program_change(
    cmd: ProposeProgramChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProposalOutcome:
    """Propose a new program for a pump and attach the safety review's findings.

    A known idempotency key returns the change it made (``replayed=True``): nothing is proposed
    or reviewed again, and the answer is audited as a read of that change (``PROGRAM_READ``), not
    as a second proposal. The key sent again by another clinician, with another program or
    another reason is not a retry: :class:`~thecal.domain.idempotency.IdempotencyKeyReused`.

    Raises:
        AccessDenied; PumpNotFound; NothingToChange; ProgramChangeBlocked (nothing stored);
        ProposalKeyInUse: the key was used for another pump's change (a replay is the same pump).
        IdempotencyKeyReused: the key was used for a different request (422, nothing replayed).
    """
    authorize_function(cmd.actor, Action.PROGRAM_PROPOSE)
    now = clock.now()
    with uow:
        existing = uow.program_changes.get_by_key(cmd.idempotency_key)
        if existing is not None:
            if uow.program_changes.pump_of(existing.change_id) != cmd.pump_id:
                raise ProposalKeyInUse(key=cmd.idempotency_key, pump_id=cmd.pump_id)
            subject = Subject.patient(existing.patient_id)
            authorize(cmd.actor, Action.PROGRAM_READ, subject)
            require_same_request(
                key=cmd.idempotency_key,
                what=f"program change {existing.change_id}",
                first={
                    "proposer": existing.proposed_by,
                    "program": program_parameters(existing.new_program),
                    "rationale": existing.rationale,
                },
                again={
                    "proposer": cmd.actor.user_id,
                    "program": program_parameters(cmd.new_program),
                    "rationale": cmd.rationale.strip(),
                },
            )
            uow.audit.record(
                actor=cmd.actor,
                action=Action.PROGRAM_READ,
                subject=subject,
                at=now,
                details={
                    "change_id": existing.change_id,
                    "version": existing.version,
                    "replayed": True,
                },
            )
            uow.commit()
            return ProposalOutcome(change=existing, replayed=True)
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PROGRAM_PROPOSE, subject)
        require_in_care(
            pump, "an admixture change" if cmd.transition is not None else "a program change"
        )
        if cmd.transition is not None and cmd.transition.old_program != pump.program:
            raise PumpProgramMoved(pump_id=pump.id, change_id="(not yet stored)")
        change = ProgramChange(
            change_id=cmd.change_id or str(uuid.uuid4()),
            patient_id=pump.patient_id,
            old_program=pump.program,
            new_program=cmd.new_program,
            proposed_by=cmd.actor,
            proposed_at=now,
            rationale=cmd.rationale,
            transition=cmd.transition,
        )
        context = ReviewContext(
            action=ActionKind.PROGRAM_CHANGE,
            at=now,
            proposer=proposer(cmd.actor),
            patient=patient_facts(uow, pump.patient_id, now),
            pump=pump_state(pump, at=now),
            current=CurrentTherapy(
                prescription=prescription_of(pump.program), last_dose_change_at=pump.program_since
            ),
            proposal=Proposal(
                prescription=prescription_of(cmd.new_program),
                programmed_admixture=cmd.new_program.admixture,
            ),
        )
        try:
            findings = review_or_block(context, action="the program change")
        except ReviewBlocked as blocked:
            raise ProgramChangeBlocked(  # nothing is stored: name the pump, not an id never kept
                what=f"the proposed program change for pump {pump.serial} (nothing was stored)",
                pump_id=pump.id,
                summary=blocked.fields.get("summary", ""),
            ) from blocked
        change.review(findings=findings, at=now)
        uow.program_changes.add_for_pump(
            change, pump_id=pump.id, idempotency_key=cmd.idempotency_key
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_PROPOSE,
            subject=subject,
            at=now,
            details={"pump_id": pump.id, "rationale": change.rationale, **_summary(change)},
        )
        uow.commit()
    return ProposalOutcome(change=change)


def _require_current(uow: AbstractUnitOfWork, change: ProgramChange, what: str) -> None:
    """A signature is for a change of a pump in care (else PumpOutOfCare, THC-PATH-062) from the
    program the pump runs now (issue 12 §4): a change made from an older program is refused
    (PumpProgramMoved), not only at its send. Another program sent since (acknowledged or
    uncertain, not yet settled by an interrogation) counts: the pump may already run it."""
    pump_id = uow.program_changes.pump_of(change.change_id)
    pump = uow.pumps.get(pump_id) if pump_id is not None else None
    if pump is not None:
        require_in_care(pump, what)
    if pump is not None and not program_is_current(pump, change):
        raise PumpProgramMoved(pump_id=pump.id, change_id=change.change_id)


def program_is_current(pump: Pump, change: ProgramChange) -> bool:
    """True when ``change`` was made from the program the pump runs (or may run) now."""
    return pump.program == change.old_program and all(
        span.program == change.old_program for span in pump.sent_programs
    )


def program_from_entry(pump: Pump, entry: ProgramEntry) -> InfusionProgram:
    """The program a clinician typed in the editor, for this pump's admixture and model (every
    dose in the primary drug's library unit, flex steps within the model's limit)."""
    library = reference_library()
    return build_program(
        entry,
        current=pump.program,
        drug=library.drug(pump.program.admixture.primary.drug_id),
        model=library.pump(pump.model_id),
    )


def _spend(
    uow: AbstractUnitOfWork,
    change: ProgramChange,
    token: ConfirmationToken,
    action: str,
    at: dt.datetime,
) -> None:
    if uow.tokens.is_used(token.token_id):
        raise ConfirmationRejected(
            token_id=token.token_id, action=action, reason="already used (replay)"
        )
    uow.tokens.spend(
        UsedToken(
            token_id=token.token_id,
            change_id=change.change_id,
            user_id=token.user_id,
            used_at=at,
        )
    )


def sign_program_change(
    cmd: SignProgramChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProgramChange:
    """Sign as the physician (SR-16 token on the exact diff; overrides and warnings answered)."""
    authorize_function(cmd.actor, Action.PROGRAM_SIGN)
    now = clock.now()
    with uow:
        change = _load(uow, cmd.change_id)
        subject = Subject.patient(change.patient_id)
        authorize(cmd.actor, Action.PROGRAM_SIGN, subject)
        _require_current(uow, change, "signing a program change")
        _spend(uow, change, cmd.token, "sign the program change", now)
        change.sign(
            actor=cmd.actor,
            token=cmd.token,
            at=now,
            overrides=cmd.overrides,
            acknowledged_warnings=cmd.acknowledged_warnings,
        )
        uow.program_changes.update(change)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_SIGN,
            subject=subject,
            at=now,
            details={
                **_summary(change),
                "token_id": cmd.token.token_id,
                "overrides": [
                    f"{o.finding_code}: {o.reason.value}: {o.text}" for o in cmd.overrides
                ],
            },
        )
        uow.commit()
    return change


def cosign_program_change(
    cmd: CoSignProgramChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProgramChange:
    """Co-sign as a second, different clinician (SR-02), with an SR-16 token on the same diff.

    Neither the signer nor (clinic policy ``cmd.policy``, on by default) the proposer may co-sign.
    """
    authorize_function(cmd.actor, Action.PROGRAM_COSIGN)
    now = clock.now()
    with uow:
        change = _load(uow, cmd.change_id)
        subject = Subject.patient(change.patient_id)
        authorize(cmd.actor, Action.PROGRAM_COSIGN, subject)
        _require_current(uow, change, "co-signing a program change")
        _spend(uow, change, cmd.token, "co-sign the program change", now)
        change.co_sign(actor=cmd.actor, token=cmd.token, at=now, policy=cmd.policy)
        uow.program_changes.update(change)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_COSIGN,
            subject=subject,
            at=now,
            details={**_summary(change), "token_id": cmd.token.token_id},
        )
        uow.commit()
    return change


def send_program_change(
    cmd: SendProgramChange, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> ProgramChange:
    """Write the co-signed program to the pump; the answer is recorded as acknowledged or uncertain.

    Raises:
        ProgramChangeStateError (not co-signed); StalePumpVersion; PumpProgramMoved; DeviceError.
    """
    authorize_function(cmd.actor, Action.PROGRAM_SEND)
    now = clock.now()
    with uow:
        pump_id = uow.program_changes.pump_of(cmd.change_id)
        if pump_id is None:
            raise ProgramChangeNotFound(ident=cmd.change_id)
        pump: Pump | None = uow.pumps.get_for_update(pump_id)  # lock first: one writer per pump
        if pump is None:
            raise PumpNotFound(ident=pump_id)
        change = _load(uow, cmd.change_id)
        subject = Subject.patient(change.patient_id)
        authorize(cmd.actor, Action.PROGRAM_SEND, subject)
        pump.check_version(cmd.expected_pump_version)
        require_in_care(pump, "sending a program change")
        allowed = (ProgramChangeState.CO_SIGNED, ProgramChangeState.NOT_DELIVERED)
        if change.state not in allowed:
            raise ProgramChangeStateError(
                kind="program change",
                ident=change.change_id,
                state=change.state.value,
                action="send the program to the pump",
                allowed=", ".join(s.value for s in allowed),
            )
        if pump.program != change.old_program:
            raise PumpProgramMoved(pump_id=pump.id, change_id=change.change_id)
        if (
            change.transition is not None
            or change.new_program.admixture != change.old_program.admixture
        ):
            raise AdmixtureChangeSentByRefill(
                change_id=change.change_id, admixture=change.new_program.admixture.describe()
            )
        ack = driver.program(pump.serial, change.new_program)
        outcome = (
            SendOutcome.ACKNOWLEDGED if ack is ProgramAck.ACKNOWLEDGED else SendOutcome.UNCERTAIN
        )
        change.record_send(actor=cmd.actor, outcome=outcome, at=now)
        pump.record_send(
            change.new_program, at=now, acknowledged=outcome is SendOutcome.ACKNOWLEDGED
        )
        refresh_refill_due(pump)  # the reservoir now follows the new program from its send
        uow.pumps.update(pump)
        uow.program_changes.update(change)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_SEND,
            subject=subject,
            at=now,
            details={**_summary(change), "pump_id": pump.id, "outcome": outcome.value},
        )
        uow.commit()
    return change


def get_program_change(
    cmd: GetProgramChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProgramChange:
    """One program change with its diff, findings and signatures (an audited PHI read)."""
    authorize_function(cmd.actor, Action.PROGRAM_READ)
    with uow:
        change = _load(uow, cmd.change_id)
        subject = Subject.patient(change.patient_id)
        authorize(cmd.actor, Action.PROGRAM_READ, subject)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_READ,
            subject=subject,
            at=clock.now(),
            details={"change_id": change.change_id, "version": change.version},
        )
        uow.commit()
    return change


_PENDING = frozenset(
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


def pending_program_changes(changes: Sequence[ProgramChange]) -> list[ProgramChange]:
    """The changes still on their way (proposed to sent, not yet confirmed), newest first."""
    pending = [c for c in changes if c.state in _PENDING]
    return sorted(pending, key=lambda c: (c.history[0].at, c.change_id), reverse=True)


def withdraw_program_change(
    cmd: WithdrawProgramChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProgramChange:
    """Withdraw a pending change that is not on its way to the pump, with the clinician's reason.

    Raises:
        AccessDenied; ProgramChangeNotFound; ProgramChangeStateError (sent, confirmed, failed or
        already withdrawn); ValueOutOfRange (no reason).
    """
    authorize_function(cmd.actor, Action.PROGRAM_WITHDRAW)
    now = clock.now()
    with uow:
        change = _load(uow, cmd.change_id)
        subject = Subject.patient(change.patient_id)
        authorize(cmd.actor, Action.PROGRAM_WITHDRAW, subject)
        change.withdraw(actor=cmd.actor, reason=cmd.reason, at=now)
        uow.program_changes.update(change)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_WITHDRAW,
            subject=subject,
            at=now,
            details={**_summary(change), "reason": change.withdrawal_reason},
        )
        close_for_withdrawn_change(
            uow, change_id=change.change_id, patient_id=change.patient_id, actor=cmd.actor, at=now
        )
        uow.commit()
    return change
