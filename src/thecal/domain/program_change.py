"""The program-change aggregate: from proposal to a program the pump is proven to run.

::

    PROPOSED ──review──▶ REVIEWED ──sign──▶ SIGNED ──co_sign──▶ CO_SIGNED ──record_send──▶ SENT
        │        └─(any block finding)─▶ BLOCKED                     ▲                    │
        │                                                            │ record_send        │ record_interrogation
        │                                                      NOT_DELIVERED ◀────────────┤ (uncertain send, pump
        │                                                                                 │  still runs the old program)
        └── withdraw (from any state before SENT, or NOT_DELIVERED) ──▶ WITHDRAWN          ├──▶ CONFIRMED (pump runs the new program)
                                                                                          └──▶ FAILED (anything else)

Rules (architecture.md §1 and §3, safety.md SR-02, SR-16, clinical.md §11 rule 9, S74):

* physicians and nurses propose; only a physician signs; the co-signer is a different clinician
  (physician or nurse), so a committed change always carries two distinct clinicians, one of them
  a physician (independent double check, safety.md §2.3);
* signing and co-signing each need a :class:`ConfirmationToken` from a fresh re-authentication,
  bound to this change and to the SHA-256 digest of the full old-vs-new :class:`ProgramDiff`
  (SR-16, the SynchroMed "Finish" screen of safety:S42); a token for another diff, another user,
  another change, a stale one or a replayed one is refused;
* a review with any ``block`` finding ends in ``BLOCKED``: a different proposal is needed;
  each ``override`` finding needs a documented reason code and text from the signer and is
  then carried by both signatures (SR-02); each ``warn`` finding must be acknowledged by the signer;
* a send is ``acknowledged`` or ``uncertain`` (architecture.md §4: the record must say so, never
  guess); only an interrogation confirms: the new program → ``CONFIRMED``; after an uncertain send
  the old program → ``NOT_DELIVERED`` (re-send needed); anything else → ``FAILED``.

``version`` increases by one on every state change (optimistic locking, SR-24).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.errors import PermissionDenied, RequestInvalid, SafetyBlocked
from thecal.domain.program import InfusionProgram
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Duration
from thecal.domain.users import Actor, Role

__all__ = [
    "DEFAULT_REAUTH_MAX_AGE",
    "ConfirmationRejected",
    "ConfirmationToken",
    "DiffEntry",
    "FindingLike",
    "FindingSeverity",
    "FindingSummary",
    "NothingToChange",
    "OverrideJustification",
    "OverrideNotDocumented",
    "OverrideReason",
    "ProgramChange",
    "ProgramChangeBlocked",
    "ProgramChangeState",
    "ProgramChangeStateError",
    "ProgramDiff",
    "SameClinicianTwice",
    "SendOutcome",
    "Signature",
    "WarningsNotAcknowledged",
    "diff",
    "program_parameters",
]

#: Longest time between the re-authentication behind a token and its use. Clinic choice (no
#: retrieved source gives a number); ASVS 3.7.1 asks for re-authentication before sensitive
#: actions (safety:S105), which a token older than a few minutes no longer proves.
DEFAULT_REAUTH_MAX_AGE = Duration.minutes(5)

_ABSENT = "—"


# ----------------------------------------------------------------------------- errors


class ProgramChangeStateError(IllegalTransition):
    code = "THC-PATH-010"


class ProgramChangeBlocked(SafetyBlocked):
    code = "THC-PATH-011"
    template = (
        "program change {ident} is blocked by safety review: {summary}; propose a different change"
    )


class NothingToChange(RequestInvalid):
    code = "THC-PATH-012"
    template = "the proposed program is identical to the current one: nothing to change"


class ConfirmationRejected(PermissionDenied):
    code = "THC-PATH-013"
    template = "confirmation token {token_id} rejected for {action}: {reason}"


class OverrideNotDocumented(RequestInvalid):
    code = "THC-PATH-014"
    template = "override finding(s) {codes}: {detail}"


class WarningsNotAcknowledged(RequestInvalid):
    code = "THC-PATH-015"
    template = "warning finding(s) {codes} must be acknowledged before signing"


class SameClinicianTwice(PermissionDenied):
    code = "THC-PATH-016"
    template = "{user_id} signed program change {ident} and may not also co-sign it: a second, different clinician must"


# ----------------------------------------------------------------------------- the diff


def program_parameters(program: InfusionProgram) -> tuple[tuple[str, str], ...]:
    """Every parameter of ``program`` as ``(name, display text)``, in a fixed order.

    Display text comes from the exact quantities (no rounding), so equal texts mean equal values.
    Absent optional settings are listed as ``"off"`` or ``"—"`` so that two programs always line up.
    """
    params: list[tuple[str, str]] = [
        ("mode", program.mode.value),
        ("primary drug", program.admixture.primary.drug_id),
    ]
    params += [
        (f"concentration {c.drug_id}", str(c.concentration)) for c in program.admixture.components
    ]
    params.append(("cycle", str(program.cycle)))
    for number, step in enumerate(program.steps, start=1):
        params += [
            (f"step {number} start", str(step.start)),
            (f"step {number} rate", str(step.rate)),
        ]
    for label, bolus in (
        ("periodic bolus", program.periodic),
        ("single bolus", program.single_bolus),
    ):
        if bolus is None:
            params.append((label, "off"))
            continue
        params += [
            (f"{label} dose", str(bolus.dose)),
            (f"{label} duration", str(bolus.duration)),
            (f"{label} every", str(bolus.every)),
            (f"{label} offset", str(bolus.offset)),
        ]
    pb = program.patient_bolus
    if pb is None:
        params.append(("patient bolus", "off"))
    else:
        params += [
            ("patient bolus dose", str(pb.dose)),
            ("patient bolus duration", str(pb.duration)),
            ("patient bolus lockout", str(pb.lockout)),
            ("patient bolus max per day", str(pb.max_per_day)),
        ]
    alarm = program.low_reservoir_alarm
    params.append(("low-reservoir alarm", str(alarm) if alarm is not None else "pump default"))
    return tuple(params)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffEntry:
    """One parameter, old and new, as display text (``"—"`` where one side lacks it)."""

    parameter: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramDiff:
    """The side-by-side of ALL parameters of the old and new program (SR-16)."""

    entries: tuple[DiffEntry, ...]

    @property
    def changes(self) -> tuple[DiffEntry, ...]:
        """Only the parameters whose value changes."""
        return tuple(entry for entry in self.entries if entry.changed)

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of every entry: what a confirmation is bound to."""
        rows = [[e.parameter, e.old, e.new] for e in self.entries]
        canonical = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def diff(old_program: InfusionProgram, new_program: InfusionProgram) -> ProgramDiff:
    """List every parameter of both programs with old and new values as display text.

    Parameters present on one side only (an added flex step, a new admixture component, a patient
    bolus switched on) appear with ``"—"`` on the other side.
    """
    old, new = dict(program_parameters(old_program)), dict(program_parameters(new_program))
    names = list(old) + [name for name in new if name not in old]
    return ProgramDiff(
        entries=tuple(
            DiffEntry(parameter=name, old=old.get(name, _ABSENT), new=new.get(name, _ABSENT))
            for name in names
        )
    )


# ----------------------------------------------------------------------------- findings


class FindingSeverity(StrEnum):
    """The severities of the safety review (architecture.md §3), by their stored values."""

    BLOCK = "block"
    OVERRIDE = "override"
    WARN = "warn"
    INFO = "info"


class _SeverityLike(Protocol):
    @property
    def value(self) -> str: ...


class FindingLike(Protocol):
    """What this module needs of a safety finding (satisfied by the safety review's ``Finding``)."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> _SeverityLike: ...
    @property
    def message(self) -> str: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingSummary:
    """A safety finding as the program change keeps it."""

    code: str
    severity: FindingSeverity
    message: str
    source: str

    @classmethod
    def of(cls, finding: FindingLike) -> FindingSummary:
        """Summarise any finding whose severity value is one of block/override/warn/info."""
        return cls(
            code=finding.code,
            severity=FindingSeverity(finding.severity.value),
            message=finding.message,
            source=finding.source,
        )


class OverrideReason(StrEnum):
    """Documented reason codes for overriding a soft limit (SR-02). A clinic may extend them."""

    TOLERANCE_DOCUMENTED = "tolerance-documented"  # prior exposure shows the dose is tolerated
    PALLIATIVE_CARE = "palliative-care"  # end-of-life symptom control outweighs the limit
    SPECIALIST_ADVICE = "specialist-advice"  # documented advice from a specialist or pharmacist
    CLINICAL_JUDGEMENT = "clinical-judgement"  # the text explains the judgement


@dataclass(frozen=True, slots=True, kw_only=True)
class OverrideJustification:
    """The signer's documented reason for going past one ``override`` finding."""

    finding_code: str
    reason: OverrideReason
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", require_text(self.text, name="override reason text"))


# ----------------------------------------------------------------------------- signing


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationToken:
    """Proof of a fresh re-authentication, bound to one user, one change and one exact diff.

    Issued by the authentication edge after the user re-enters their credentials on the screen
    showing the diff; ``token_id`` is a unique unguessable nonce. The domain checks the bindings,
    freshness and single use; it cannot check the credentials themselves.
    """

    token_id: str
    user_id: str
    change_id: str
    diff_digest: str
    authenticated_at: dt.datetime

    def __post_init__(self) -> None:
        require_aware(self.authenticated_at, name="re-authentication time")


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    user_id: str
    role: Role
    at: dt.datetime
    token_id: str


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
    ) -> None:
        """Propose a change.

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
        self.diff = diff(old_program, new_program)
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
            Transition(
                action="propose",
                from_state="",
                to_state=_S.PROPOSED.value,
                user_id=proposed_by.user_id,
                at=proposed_at,
                version=1,
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
            raise ProgramChangeBlocked(ident=self.change_id, summary=summary)
        self._expect(action, at, _S.REVIEWED)
        require_role(actor, {Role.PHYSICIAN}, action=action)
        self._check_overrides(overrides)
        warnings = {f.code for f in self.findings_of(FindingSeverity.WARN)}
        missing = sorted(warnings - set(acknowledged_warnings))
        if missing:
            raise WarningsNotAcknowledged(codes=", ".join(missing))
        self._check_token(actor, token, at, max_token_age, action)
        self._used_tokens.add(token.token_id)
        self.signature = Signature(
            user_id=actor.user_id, role=actor.role, at=at, token_id=token.token_id
        )
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
    ) -> None:
        """Co-sign as a second, different clinician who checked the same diff (SR-02).

        Raises:
            ProgramChangeStateError: not ``SIGNED``.
            ActorNotAllowed / InactiveActor: not an active physician or nurse.
            SameClinicianTwice: the co-signer is the signer.
            ConfirmationRejected: the token does not prove re-authentication for this diff.
        """
        action = "co-sign the program change"
        self._expect(action, at, _S.SIGNED)
        require_role(actor, CLINICIANS, action=action)
        if self.signature is not None and actor.user_id == self.signature.user_id:
            raise SameClinicianTwice(user_id=actor.user_id, ident=self.change_id)
        self._check_token(actor, token, at, max_token_age, action)
        self._used_tokens.add(token.token_id)
        self.co_signature = Signature(
            user_id=actor.user_id, role=actor.role, at=at, token_id=token.token_id
        )
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

    def _check_overrides(self, overrides: Collection[OverrideJustification]) -> None:
        needed = {f.code for f in self.findings_of(FindingSeverity.OVERRIDE)}
        given = [o.finding_code for o in overrides]
        if len(given) != len(set(given)):
            raise OverrideNotDocumented(
                codes=", ".join(sorted(given)), detail="one justification per finding"
            )
        extra = sorted(set(given) - needed)
        if extra:
            raise OverrideNotDocumented(
                codes=", ".join(extra), detail="no such override finding in the review"
            )
        missing = sorted(needed - set(given))
        if missing:
            raise OverrideNotDocumented(
                codes=", ".join(missing),
                detail="each needs a documented reason code and text (SR-02)",
            )

    def _check_token(
        self,
        actor: Actor,
        token: ConfirmationToken,
        at: dt.datetime,
        max_age: Duration,
        action: str,
    ) -> None:
        reason: str | None = None
        if token.token_id in self._used_tokens:
            reason = "already used (replay)"
        elif token.user_id != actor.user_id:
            reason = f"issued to {token.user_id}, not {actor.user_id}"
        elif token.change_id != self.change_id:
            reason = f"issued for program change {token.change_id}"
        elif token.diff_digest != self.diff.digest:
            reason = "bound to a different diff than this change's"
        elif token.authenticated_at > at:
            reason = "re-authentication dated after its use"
        elif at - token.authenticated_at > max_age.to_timedelta():
            reason = f"re-authentication older than {max_age}"
        if reason is not None:
            raise ConfirmationRejected(token_id=token.token_id, action=action, reason=reason)
