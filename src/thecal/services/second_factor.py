"""The second factor (SR-19): the one-time-code steps shared by log-in, re-authentication and
enrolment, over the unit of work.

:mod:`thecal.domain.totp` has the code maths and :mod:`thecal.domain.login_challenge` the pending
log-in; :class:`~thecal.services.identity.Identity` decides *when* a code is needed. Here:

* :func:`accept_code` throttles (the log-in limit: 100 failures an hour, ASVS 2.2.1), checks the
  code, and either records a failed log-in and a ``mfa.code_refused`` entry (committed, then
  :class:`~thecal.domain.credentials.OneTimeCodeWrong`) or records the accepted time step — so the
  code cannot be used again — and confirms a pending enrolment (``mfa.enrolled``);
* :func:`begin_enrolment` stores a fresh unconfirmed secret (``mfa.enrolment_started``).

The commands and results the edges use (:class:`SecondFactorNeeded`, :class:`TotpEnrolment`,
:class:`MfaStatus`, …) live here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from thecal.domain.authorization import Action, Subject
from thecal.domain.credentials import THROTTLE_WINDOW, AccountLocked, OneTimeCodeWrong, throttle
from thecal.domain.totp import check_code, group_secret, new_secret, otpauth_uri
from thecal.domain.users import Actor, User
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ONE_TIME_CODE_FIELD",
    "CompleteLogIn",
    "ConfirmEnrolment",
    "MfaStatus",
    "ReadMfaStatus",
    "SecondFactorNeeded",
    "StartEnrolment",
    "TotpEnrolment",
    "accept_code",
    "begin_enrolment",
    "enrolment_of",
]

ONE_TIME_CODE_FIELD = "one_time_code"  # the field name on every form and body that takes a code


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteLogIn:
    """The second step of a log-in: the challenge from the password step and the code."""

    challenge: str
    one_time_code: str
    replacing: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartEnrolment:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmEnrolment:
    actor: Actor
    one_time_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadMfaStatus:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpEnrolment:
    """A new secret to add to an authenticator app (shown once; confirmed by its first code)."""

    secret: str
    otpauth_uri: str

    @property
    def grouped(self) -> str:
        return group_secret(self.secret)


@dataclass(frozen=True, slots=True, kw_only=True)
class SecondFactorNeeded:
    """The password was right; the session waits for a one-time code (no access is granted)."""

    challenge: str  # signed, bound to the account, expires at ``expires_at``
    expires_at: dt.datetime
    username: str
    enrolment: TotpEnrolment | None = None  # set when the account must first add an authenticator


@dataclass(frozen=True, slots=True, kw_only=True)
class MfaStatus:
    enrolled: bool
    enrolled_at: dt.datetime | None
    required: bool  # a log-in needs a code (enrolled, or the clinic requires it for the role)
    pending: TotpEnrolment | None  # a secret shown to the owner, awaiting its first code


def enrolment_of(user: User, secret: str) -> TotpEnrolment:
    return TotpEnrolment(secret=secret, otpauth_uri=otpauth_uri(secret, account=user.username))


def begin_enrolment(
    uow: AbstractUnitOfWork, user: User, now: dt.datetime, *, via: str
) -> TotpEnrolment:
    """Store a fresh unconfirmed secret (replacing any earlier unconfirmed one) and audit it."""
    secret = new_secret()
    user.begin_authenticator(secret)
    user.version += 1
    uow.users.update(user)
    uow.audit.record(
        actor=user.as_actor(),
        action=Action.MFA_ENROLMENT_STARTED,
        subject=Subject(kind="user", ident=user.id),
        at=now,
        details={"username": user.username, "via": via},
    )
    return enrolment_of(user, secret)


def accept_code(
    uow: AbstractUnitOfWork,
    user: User,
    code: str,
    *,
    now: dt.datetime,
    purpose: str,
    totp_now: dt.datetime | None = None,
) -> None:
    """Throttle, then check ``code`` against the user's secret; record the accepted step.

    ``now`` stamps the failure records and audit entries; ``totp_now`` (default ``now``) is
    the real time the code is checked at. Confirms a pending enrolment. Commits only on
    refusal.

    Raises:
        AccountLocked: 100 failures already in the last hour (the code is not checked).
        OneTimeCodeWrong: wrong, outside the ±1 step window, or already used.
    """
    assert user.totp_secret is not None  # noqa: S101 - callers check it
    decision = throttle(uow.login_failures.since(user.username, now - THROTTLE_WINDOW), now=now)
    details: dict[str, Any] = {"username": user.username, "purpose": purpose}
    if decision.locked:
        assert decision.retry_after is not None  # noqa: S101 - set whenever locked
        retry = decision.retry_after.isoformat(timespec="seconds")
        uow.audit.record(
            actor=user.as_actor(),
            action=Action.SESSION_LOGIN_FAILED,
            subject=Subject(kind="user", ident=user.id),
            at=now,
            details={**details, "outcome": "locked", "until": retry},
        )
        uow.commit()
        raise AccountLocked(retry_after=retry)
    checked = check_code(
        user.totp_secret, code, at=totp_now or now, last_accepted_step=user.totp_last_step
    )
    subject = Subject(kind="user", ident=user.id)
    if not checked.accepted:
        uow.login_failures.record(user.username, now)
        uow.audit.record(
            actor=user.as_actor(),
            action=Action.MFA_CODE_REFUSED,
            subject=subject,
            at=now,
            details={
                **details,
                "outcome": checked.outcome.value,
                "failures": decision.failures_in_window + 1,
            },
        )
        uow.commit()
        raise OneTimeCodeWrong
    assert checked.step is not None  # noqa: S101 - an accepted code has its step
    enrolling = user.accept_code_step(checked.step, now)
    user.version += 1
    uow.users.update(user)
    if enrolling:
        uow.audit.record(
            actor=user.as_actor(),
            action=Action.MFA_ENROLLED,
            subject=subject,
            at=now,
            details={"username": user.username, "via": purpose},
        )
    uow.audit.record(
        actor=user.as_actor(),
        action=Action.MFA_CODE_ACCEPTED,
        subject=subject,
        at=now,
        details={**details, "step": checked.step},
    )
