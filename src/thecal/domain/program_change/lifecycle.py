"""The program change's lifecycle: the ``ProgramChange`` aggregate, from proposal to a program the
pump is proven to run.

::

    PROPOSED ──review──▶ REVIEWED ──sign──▶ SIGNED ──co_sign──▶ CO_SIGNED ──record_send──▶ SENT
        │        └─(any block finding)─▶ BLOCKED                     ▲                    │
        │                                                            │ record_send        │ record_interrogation
        │                                                      NOT_DELIVERED ◀────────────┤ (uncertain send, pump
        │                                                                                 │  still runs the old program)
        └── withdraw (from any state before SENT, or NOT_DELIVERED) ──▶ WITHDRAWN          ├──▶ CONFIRMED (pump runs the new program)
                                                                                          └──▶ FAILED (anything else)

A change still ``SENT`` (not yet confirmed) is withdrawn only when its pump leaves the clinic's
care (:meth:`ProgramChange.withdraw_as_pump_left_care`): the pump it was sent to is explanted or
in another clinic's hands, so no interrogation here will ever settle it.

``kind`` says what the change is for: a program change from the editor (or an admixture change,
with its ``transition``), or the **restart** of delivery after an interruption long enough to
lose opioid tolerance (``services/interruptions.py``): reviewed as a new start, it is signed and
co-signed like any other change before it is sent.

Who may propose, sign and co-sign, and what a send and an interrogation mean: see the package
docstring (:mod:`thecal.domain.program_change`). ``version`` increases on every state change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.admixture_change import AdmixtureTransition
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change.errors import (
    NothingToChange,
    ProgramChangeBlocked,
    ProgramChangeStateError,
    WarningsNotAcknowledged,
)
from thecal.domain.program_change.findings import (
    FindingSeverity,
    FindingSummary,
    OverrideJustification,
    check_overrides,
)
from thecal.domain.program_change.program_diff import diff, program_parameters
from thecal.domain.program_change.signing import (
    DEFAULT_CO_SIGNING_POLICY,
    DEFAULT_REAUTH_MAX_AGE,
    ConfirmationToken,
    CoSigningPolicy,
    Signature,
    check_co_signer,
    check_confirmation,
)
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Duration
from thecal.domain.users import Actor, Role

__all__ = ["ProgramChange", "ProgramChangeKind", "ProgramChangeState", "SendOutcome"]


class ProgramChangeKind(StrEnum):
    CHANGE = "program-change"  # the program editor (or an admixture change at a refill)
    RESTART = "restart"  # a restart after an interruption, reviewed as a new start


class SendOutcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"  # the pump acknowledged the write
    UNCERTAIN = "uncertain"  # the link failed mid-write: delivered or not is unknown


class ProgramChangeState(StrEnum):
    PROPOSED = "proposed"
    REVIEWED = "reviewed"
    BLOCKED = "blocked"
    SIGNED = "signed"
    CO_SIGNED = "co-signed"
    SENT = "sent"
    NOT_DELIVERED = "not-delivered"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


_S = ProgramChangeState
_WITHDRAWABLE = (_S.PROPOSED, _S.REVIEWED, _S.BLOCKED, _S.SIGNED, _S.CO_SIGNED, _S.NOT_DELIVERED)
#: A pump that leaves care takes its unconfirmed sends with it (nothing here will settle them).
_WITHDRAWN_BY_EVENT = (*_WITHDRAWABLE, _S.SENT)


class ProgramChange(StateMachine[ProgramChangeState]):
    """One proposed change from the pump's current program to a new one (identity: ``change_id``)."""

    _kind = "program change"
    _error = ProgramChangeStateError
    _previous = "the previous step"

    @property
    def _ident(self) -> str:
        return self.change_id

    def __init__(
        self,
        *,
        change_id: str,
        patient_id: str,
        old_program: InfusionProgram,
        new_program: InfusionProgram,
        proposed_by: Actor,
        proposed_at: dt.datetime,
        rationale: str = "",
        transition: AdmixtureTransition | None = None,
        kind: ProgramChangeKind = ProgramChangeKind.CHANGE,
    ) -> None:
        """Propose a change (``transition``: an admixture change, sent by the refill that injects it;
        ``kind``: a restart after an interruption is reviewed as a new start).

        Raises:
            ActorNotAllowed: the proposer is not a physician or nurse.
            NothingToChange: the new program equals the old one.
            NaiveTimestamp: ``proposed_at`` is naive.
        """
        require_role(proposed_by, CLINICIANS, action="propose a program change")
        require_aware(proposed_at, name="proposal time")
        self.change_id = require_text(change_id, name="change id")
        self.patient_id = require_text(patient_id, name="patient id")
        self.old_program = old_program
        self.new_program = new_program
        self.transition = transition
        self.kind = kind
        self.diff = diff(
            old_program, new_program, extra=transition.diff_rows() if transition else ()
        )
        if not self.diff.changes:
            raise NothingToChange()
        self.proposed_by = proposed_by.user_id
        self.rationale = rationale.strip()
        self.state = _S.PROPOSED
        self.version = 1
        self.findings: tuple[FindingSummary, ...] = ()
        self.signature: Signature | None = None
        self.co_signature: Signature | None = None
        self.overrides: tuple[OverrideJustification, ...] = ()
        self.acknowledged_warnings: frozenset[str] = frozenset()
        self.send_outcomes: tuple[SendOutcome, ...] = ()
        self.tasks: tuple[Task, ...] = ()
        self.withdrawal_reason: str | None = None
        self._used_tokens: set[str] = set()
        self.history: list[Transition] = [
            Transition.first(
                action="propose",
                to_state=_S.PROPOSED.value,
                user_id=proposed_by.user_id,
                at=proposed_at,
            )
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProgramChange) and other.change_id == self.change_id

    def __hash__(self) -> int:
        return hash(self.change_id)

    def __repr__(self) -> str:
        return f"<ProgramChange {self.change_id} {self.state.value} v{self.version}>"

    # ------------------------------------------------------------------------- queries

    @property
    def used_token_ids(self) -> frozenset[str]:
        """Token ids consumed here; the services layer also keeps them globally against replay."""
        return frozenset(self._used_tokens)

    def findings_of(self, severity: FindingSeverity) -> tuple[FindingSummary, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    def _last(self, *to_states: ProgramChangeState) -> dt.datetime | None:
        wanted = {state.value for state in to_states}
        times = [t.at for t in self.history if t.to_state in wanted]
        return times[-1] if times else None

    @property
    def proposed_at(self) -> dt.datetime:
        return self.history[0].at

    @property
    def signed_at(self) -> dt.datetime | None:
        return self._last(_S.SIGNED)

    @property
    def co_signed_at(self) -> dt.datetime | None:
        return self._last(_S.CO_SIGNED)

    @property
    def sent_at(self) -> dt.datetime | None:
        """The last write to the pump (a confirmed program has run since then)."""
        return self._last(_S.SENT)

    @property
    def acknowledged_at(self) -> dt.datetime | None:
        """The last write the pump acknowledged (None: none was, or never sent)."""
        times = [
            t.at for t in self.history if t.action == f"send ({SendOutcome.ACKNOWLEDGED.value})"
        ]
        return times[-1] if times else None

    @property
    def confirmed_at(self) -> dt.datetime | None:
        """The interrogation that showed the pump runs the new program."""
        return self._last(_S.CONFIRMED)

    @property
    def signers(self) -> tuple[str, ...]:
        return tuple(s.user_id for s in (self.signature, self.co_signature) if s is not None)

    # ------------------------------------------------------------------------- commands

    def review(self, *, findings: Iterable[FindingSummary], at: dt.datetime) -> None:
        """Attach the safety review's findings: ``BLOCKED`` if any is ``block``, else ``REVIEWED``."""
        self._expect("attach the safety review", at, _S.PROPOSED)
        self.findings = tuple(findings)
        blocked = bool(self.findings_of(FindingSeverity.BLOCK))
        self._move("review", _S.BLOCKED if blocked else _S.REVIEWED, "safety-review", at)

    def sign(
        self,
        *,
        actor: Actor,
        token: ConfirmationToken,
        at: dt.datetime,
        overrides: Collection[OverrideJustification] = (),
        acknowledged_warnings: Collection[str] = (),
        max_token_age: Duration = DEFAULT_REAUTH_MAX_AGE,
    ) -> None:
        """Sign as the physician, confirming the exact diff with a fresh re-authentication.

        Raises:
            ProgramChangeBlocked: the review found a blocking problem.
            ProgramChangeStateError: not ``REVIEWED``.
            ActorNotAllowed / InactiveActor: not an active physician.
            ConfirmationRejected: the token does not prove re-authentication for this diff.
            OverrideNotDocumented, WarningsNotAcknowledged: findings not answered.
        """
        action = "sign the program change"
        if self.state is _S.BLOCKED:
            summary = "; ".join(
                f"{f.code}: {f.message}" for f in self.findings_of(FindingSeverity.BLOCK)
            )
            raise ProgramChangeBlocked(
                what=f"program change {self.change_id}", ident=self.change_id, summary=summary
            )
        self._expect(action, at, _S.REVIEWED)
        require_role(actor, {Role.PHYSICIAN}, action=action)
        check_overrides(self.findings, overrides)
        warnings = {f.code for f in self.findings_of(FindingSeverity.WARN)}
        missing = sorted(warnings - set(acknowledged_warnings))
        if missing:
            raise WarningsNotAcknowledged(codes=", ".join(missing))
        self.signature = self._signature(actor, token, at, max_token_age, action)
        self.overrides = tuple(overrides)
        self.acknowledged_warnings = frozenset(warnings)
        self._move("sign", _S.SIGNED, actor.user_id, at)

    def co_sign(
        self,
        *,
        actor: Actor,
        token: ConfirmationToken,
        at: dt.datetime,
        max_token_age: Duration = DEFAULT_REAUTH_MAX_AGE,
        policy: CoSigningPolicy = DEFAULT_CO_SIGNING_POLICY,
    ) -> None:
        """Co-sign as a second, different clinician who checked the same diff (SR-02).

        Raises:
            ProgramChangeStateError: not ``SIGNED``.
            ActorNotAllowed / InactiveActor: not an active physician or nurse.
            SameClinicianTwice: the co-signer is the signer.
            ProposerMayNotCoSign: the co-signer proposed the change (clinic ``policy``).
            ConfirmationRejected: the token does not prove re-authentication for this diff.
        """
        action = "co-sign the program change"
        self._expect(action, at, _S.SIGNED)
        require_role(actor, CLINICIANS, action=action)
        check_co_signer(
            actor,
            change_id=self.change_id,
            proposed_by=self.proposed_by,
            signed_by=self.signature.user_id if self.signature is not None else None,
            policy=policy,
        )
        self.co_signature = self._signature(actor, token, at, max_token_age, action)
        self._move("co-sign", _S.CO_SIGNED, actor.user_id, at)

    def record_send(self, *, actor: Actor, outcome: SendOutcome, at: dt.datetime) -> None:
        """Record that the program was written to the pump, acknowledged or with an uncertain result."""
        action = "send the program to the pump"
        self._expect(action, at, _S.CO_SIGNED, _S.NOT_DELIVERED)
        require_role(actor, CLINICIANS, action=action)
        self.send_outcomes = (*self.send_outcomes, outcome)
        self._move(f"send ({outcome.value})", _S.SENT, actor.user_id, at)

    def record_interrogation(
        self, *, actor: Actor, program_on_pump: InfusionProgram, at: dt.datetime
    ) -> ProgramChangeState:
        """Resolve a send by what the pump reports it runs; returns the new state.

        The new program → ``CONFIRMED``. After an uncertain send, the old program → ``NOT_DELIVERED``
        with an urgent re-send task. Anything else (an acknowledged write not running, or a program
        that is neither old nor new) → ``FAILED`` with an urgent review task: the signed diff no
        longer describes the pump, so a new proposal is needed.
        """
        action = "confirm the program by interrogation"
        self._expect(action, at, _S.SENT)
        require_role(actor, CLINICIANS, action=action)
        on_pump = program_parameters(program_on_pump)
        if on_pump == program_parameters(self.new_program):
            self._move("interrogate (new program running)", _S.CONFIRMED, actor.user_id, at)
        elif self.send_outcomes[-1] is SendOutcome.UNCERTAIN and on_pump == program_parameters(
            self.old_program
        ):
            self._task(
                TaskKind.PROGRAM_RESEND,
                at,
                "uncertain send not delivered: the pump still runs the old program; re-send",
            )
            self._move("interrogate (old program running)", _S.NOT_DELIVERED, actor.user_id, at)
        else:
            self._task(
                TaskKind.PROGRAM_FAILURE_REVIEW,
                at,
                f"after a {self.send_outcomes[-1].value} send the pump runs neither the signed new program; review the pump and propose again",
            )
            self._move("interrogate (unexpected program)", _S.FAILED, actor.user_id, at)
        return self.state

    def withdraw(self, *, actor: Actor, reason: str, at: dt.datetime) -> None:
        """Withdraw a change that is not on its way to the pump."""
        action = "withdraw the program change"
        self._expect(action, at, *_WITHDRAWABLE)
        require_role(actor, CLINICIANS, action=action)
        self.withdrawal_reason = require_text(reason, name="withdrawal reason")
        self._move("withdraw", _S.WITHDRAWN, actor.user_id, at)

    def withdraw_as_pump_left_care(self, *, actor: Actor, reason: str, at: dt.datetime) -> None:
        """Withdraw a change whose pump leaves care (explant, replacement, transfer out), a sent
        but unconfirmed one too: ``reason`` names the event."""
        action = "withdraw the program change as its pump leaves care"
        self._expect(action, at, *_WITHDRAWN_BY_EVENT)
        require_role(actor, CLINICIANS, action=action)
        self.withdrawal_reason = require_text(reason, name="withdrawal reason")
        self._move("withdraw (pump left care)", _S.WITHDRAWN, actor.user_id, at)

    # ------------------------------------------------------------------------- internals

    def _task(self, kind: TaskKind, at: dt.datetime, reason: str) -> None:
        task = Task(
            kind=kind,
            subject=self.patient_id,
            origin=self.change_id,
            due=at,
            reason=reason,
            source="architecture.md §4, SR-16",
            priority=TaskPriority.URGENT,
        )
        self.tasks = (*self.tasks, task)

    def _signature(
        self,
        actor: Actor,
        token: ConfirmationToken,
        at: dt.datetime,
        max_age: Duration,
        action: str,
    ) -> Signature:
        """Check the token (:func:`check_confirmation`), consume it and sign as ``actor``."""
        check_confirmation(
            token,
            actor=actor,
            change_id=self.change_id,
            diff_digest=self.diff.digest,
            used_token_ids=self._used_tokens,
            at=at,
            max_age=max_age,
            action=action,
        )
        self._used_tokens.add(token.token_id)
        return Signature(user_id=actor.user_id, role=actor.role, at=at, token_id=token.token_id)
