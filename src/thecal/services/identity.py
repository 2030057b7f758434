"""Identity use cases: log in, log out, session and token checks, re-authentication for signing.

The rules are in the domain (:mod:`thecal.domain.credentials`, :mod:`thecal.domain.sessions`);
this module applies them over the unit of work:

* **log in** (SR-19, SR-20): at most 100 failed attempts per account per hour are verified, then
  the account is locked until the window has room; each failure and each refusal is audited; a
  success starts a *new* server-side session (the browser's previous token, if any, is ended:
  rotation at login) and returns the only copy of the new random token;
* **log out** ends the session; the token is worthless afterwards;
* **authenticate a session** refuses ended, idle (15 min) and absolute-expired (12 h) sessions and
  sessions of disabled accounts, recording the expiry once;
* **re-authenticate** checks the password again (counted by the same throttle) and returns a
  :class:`~thecal.domain.program_change.ConfirmationToken` bound to the user, the change and the
  digest of the exact diff the user was shown (SR-16); the sign use cases consume it;
* **authenticate a token** accepts a valid, unrevoked API token for a machine client;
* **the second factor** (SR-19, :mod:`thecal.domain.totp`): an account that has enrolled an
  authenticator — and, when the clinic requires it (``THECAL_MFA_REQUIRED``), every physician,
  nurse, pharmacist and admin — logs in only with a current one-time code as well. After a correct
  password without a code, :meth:`Identity.begin_log_in` returns a :class:`SecondFactorNeeded`: a
  signed challenge bound to the account that expires in 5 minutes
  (:mod:`thecal.domain.login_challenge`) and grants nothing; an account that must use a code but
  has none enrolled also gets a new secret to add to its app, confirmed by its first code. The
  session is created only after the code. A wrong or replayed code counts as a failed log-in
  (same throttle, audited); re-authentication for signing needs the code too once enrolled. The
  code steps themselves are in :mod:`thecal.services.second_factor`.

Tokens are 256-bit random values from :mod:`secrets`; only their SHA-256 digests are stored.

Sessions are measured on the identity's own clock when it has one (``Identity(clock=...)``;
``bootstrap`` gives it the system clock): a session's idle and absolute timeouts, the log-in
throttle window and the session events' audit times are real time, so moving the demo clinic's
simulated clock (``adapters/sql/clinic_clock.py``) logs nobody out and keeps nobody in. Without one
they use the use case's clock. Re-authentication stays on the use case's (clinical) clock: its
confirmation token is checked against the signing time. A valid session is checked in a read-only
transaction (no write lock); only when it must be stored (activity noted at most once a minute,
or the expiry recorded) is a write transaction opened, which checks it again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, TypeGuard

from thecal.domain.authorization import Action, Subject
from thecal.domain.care_teams import CARE_TEAM_ROLES, CareReach
from thecal.domain.credentials import (
    THROTTLE_WINDOW,
    AccountLocked,
    LoginChallengeInvalid,
    LoginFailed,
    MfaAlreadyEnrolled,
    MfaEnrolmentRequired,
    NotAuthenticated,
    OneTimeCodeRequired,
    SessionExpired,
    secret_digest,
    throttle,
)
from thecal.domain.login_challenge import Challenge, open_challenge, seal_challenge
from thecal.domain.program_change import ConfirmationToken
from thecal.domain.sessions import AuthSession, SessionEnd, SessionPolicy
from thecal.domain.totp import TotpInvalid
from thecal.domain.users import Actor, Role, User
from thecal.services.clock import Clock
from thecal.services.passwords import PasswordHasher
from thecal.services.second_factor import (
    ONE_TIME_CODE_FIELD,
    CompleteLogIn,
    ConfirmEnrolment,
    MfaStatus,
    ReadMfaStatus,
    SecondFactorNeeded,
    StartEnrolment,
    TotpEnrolment,
    accept_code,
    begin_enrolment,
    enrolment_of,
)
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ONE_TIME_CODE_FIELD",
    "TOKEN_BYTES",
    "AuthenticateSession",
    "AuthenticateToken",
    "Authenticated",
    "CompleteLogIn",
    "ConfirmEnrolment",
    "Identity",
    "LogIn",
    "LogOut",
    "LoginResult",
    "MfaStatus",
    "ReadMfaStatus",
    "Reauthenticate",
    "SecondFactorNeeded",
    "StartEnrolment",
    "TotpEnrolment",
    "new_secret_token",
    "reach_of",
]

TOKEN_BYTES = 32  # 256 bits, well above the 64 bits of ASVS 3.2.2 (safety:S105)
_DUMMY_PASSWORD = "thecal-dummy-password-for-constant-time"  # noqa: S105 - not a credential


def new_secret_token(prefix: str = "") -> str:
    """A fresh URL-safe random token of :data:`TOKEN_BYTES` bytes."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn:
    username: str
    password: str
    replacing: str | None = None  # the session token the browser held before, if any
    one_time_code: str | None = None  # the authenticator's current code, when the account needs one


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOut:
    session_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateSession:
    session_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateToken:
    api_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reauthenticate:
    actor: Actor
    password: str
    change_id: str
    diff_digest: str
    one_time_code: str | None = None  # required once the signer has enrolled an authenticator


@dataclass(frozen=True, slots=True, kw_only=True)
class Authenticated:
    """Who a valid session or token belongs to."""

    actor: Actor
    username: str
    display_name: str
    session_id: str | None = None  # the stored digest (never the token)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginResult:
    session_token: str  # the only copy: goes into the cookie, never stored
    authenticated: Authenticated
    expires_at: dt.datetime


def _authenticated(
    user: User, session_id: str | None = None, reach: CareReach | None = None
) -> Authenticated:
    return Authenticated(
        actor=dataclasses.replace(user.as_actor(), reach=reach),
        username=user.username,
        display_name=user.display_name,
        session_id=session_id,
    )


def reach_of(uow: AbstractUnitOfWork, user: User | None, at: dt.datetime) -> CareReach | None:
    """The patients ``user`` may reach now (SR-21): a clinician's care teams' (None in a clinic
    without teams), a pharmacist's refills (the patients with a pump in the clinic's care);
    None (not narrowed) for the other roles, whose rows the policy table decides alone."""
    if user is None:
        return None
    if user.role is Role.PHARMACIST:
        return uow.care_teams.pharmacy_reach()
    if user.role not in CARE_TEAM_ROLES:
        return None
    return uow.care_teams.reach_of(user.id, at)


def _record_anonymous(
    uow: AbstractUnitOfWork, *, action: Action, at: dt.datetime, details: dict[str, Any]
) -> None:
    """Audit an event with no known user (a log-in attempt for an unknown username)."""
    uow.audit.record_as(
        actor_id="anonymous",
        role="none",
        action=action,
        subject=Subject.collection("sessions"),
        at=at,
        details=details,
    )


def _still_pending(user: User | None, challenge: Challenge) -> TypeGuard[User]:
    """The account a challenge was sealed for, unchanged since, with a secret to check."""
    return (
        user is not None and user.version == challenge.user_version and user.totp_secret is not None
    )


class Identity:
    """The identity use cases, wired with a password hasher and a session policy."""

    def __init__(
        self,
        *,
        hasher: PasswordHasher,
        policy: SessionPolicy | None = None,
        clock: Clock | None = None,
        mfa_required: bool = False,
        challenge_key: bytes | None = None,
    ) -> None:
        self.hasher = hasher
        self.policy = policy or SessionPolicy()
        self.clock = clock  # the sessions' clock; None: the use case's
        self.mfa_required = mfa_required  # clinicians and admins must use a one-time code
        # signs pending log-ins; bootstrap derives it from the settings so that every worker
        # process accepts the others' challenges (a random key works for one process)
        self._challenge_key = challenge_key or secrets.token_bytes(32)
        self._dummy: str | None = None

    def _session_now(self, clock: Clock) -> dt.datetime:
        return (self.clock or clock).now()

    def session_now(self, clock: Clock) -> dt.datetime:
        """Now on the sessions' clock (real time; the use case's clock when it has none)."""
        return self._session_now(clock)

    @property
    def _dummy_hash(self) -> str:
        """A real hash to verify against for unknown users, so timing does not reveal them."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(_DUMMY_PASSWORD)
        return self._dummy

    # ------------------------------------------------------------------ passwords

    def _check_password(
        self, uow: AbstractUnitOfWork, username: str, password: str, now: dt.datetime
    ) -> User:
        """Throttle, then verify; record and audit a failure. Commits only on refusal.

        Raises:
            AccountLocked: 100 failures already in the last hour (the password is not checked).
            LoginFailed: unknown user, disabled account or wrong password.
        """
        user = uow.users.get_by_username(username)
        decision = throttle(uow.login_failures.since(username, now - THROTTLE_WINDOW), now=now)
        details: dict[str, Any] = {"username": username}
        if decision.locked:
            assert decision.retry_after is not None  # noqa: S101 - set whenever locked
            retry = decision.retry_after.isoformat(timespec="seconds")
            self._audit_failure(uow, user, now, {**details, "outcome": "locked", "until": retry})
            uow.commit()
            raise AccountLocked(retry_after=retry)
        stored = user.password_hash if user is not None else None
        matches = self.hasher.verify(stored or self._dummy_hash, password)
        if user is None or stored is None or not user.active or not matches:
            uow.login_failures.record(username, now)
            outcome = "wrong credentials" if user is not None and user.active else "no such account"
            self._audit_failure(
                uow,
                user,
                now,
                {**details, "outcome": outcome, "failures": decision.failures_in_window + 1},
            )
            uow.commit()
            raise LoginFailed
        return user

    def _audit_failure(
        self, uow: AbstractUnitOfWork, user: User | None, now: dt.datetime, details: dict[str, Any]
    ) -> None:
        if user is None:
            _record_anonymous(uow, action=Action.SESSION_LOGIN_FAILED, at=now, details=details)
        else:
            uow.audit.record(
                actor=user.as_actor(),
                action=Action.SESSION_LOGIN_FAILED,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details=details,
            )

    def _rehash_if_needed(self, uow: AbstractUnitOfWork, user: User, password: str) -> None:
        if user.password_hash is not None and self.hasher.needs_rehash(user.password_hash):
            user.password_hash = self.hasher.hash(password)
            user.version += 1
            uow.users.update(user)

    # ------------------------------------------------------------------ sessions

    def log_in(self, cmd: LogIn, *, uow: AbstractUnitOfWork, clock: Clock) -> LoginResult:
        """Check the credentials (and the one-time code, when needed) and start a fresh session.

        For a client that sends everything at once (the API).

        Raises:
            AccountLocked, LoginFailed: see :meth:`_check_password`.
            OneTimeCodeWrong: the account needs a code and this one is wrong or already used.
            OneTimeCodeRequired: the account needs a code and none was sent.
            MfaEnrolmentRequired: the account must use a code but has no authenticator yet; the
                error carries a new secret, which the next log-in's code confirms.
        """
        outcome = self.begin_log_in(cmd, uow=uow, clock=clock)
        if isinstance(outcome, LoginResult):
            return outcome
        if outcome.enrolment is not None:
            raise MfaEnrolmentRequired(
                secret=outcome.enrolment.secret,
                otpauth_uri=outcome.enrolment.otpauth_uri,
                field=ONE_TIME_CODE_FIELD,
            )
        raise OneTimeCodeRequired(field=ONE_TIME_CODE_FIELD)

    def begin_log_in(
        self, cmd: LogIn, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> LoginResult | SecondFactorNeeded:
        """The password step: a session, or — when a code is needed and not given — a challenge.

        Raises:
            AccountLocked, LoginFailed, OneTimeCodeWrong: as for :meth:`log_in`.
        """
        now = self._session_now(clock)
        with uow:
            user = self._check_password(uow, cmd.username, cmd.password, now)
            if user.needs_mfa(required_for_roles=self.mfa_required):
                if cmd.one_time_code is None or (
                    not user.mfa_enrolled and user.totp_secret is None
                ):
                    pending = self._second_factor_needed(uow, user, now)
                    uow.commit()
                    return pending
                accept_code(uow, user, cmd.one_time_code, now=now, purpose="log-in")
            result = self._start_session(uow, user, now, replacing=cmd.replacing)
            self._rehash_if_needed(uow, user, cmd.password)
            uow.commit()
        return result

    def complete_log_in(
        self, cmd: CompleteLogIn, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> LoginResult:
        """The code step: check the code against the challenge's account, then start the session.

        Raises:
            LoginChallengeInvalid: the challenge is forged, expired (5 min) or already used.
            AccountLocked: too many failures in the last hour (the code is not checked).
            OneTimeCodeWrong: a wrong or replayed code (counted as a failed log-in).
        """
        now = self._session_now(clock)
        challenge = open_challenge(self._challenge_key, cmd.challenge, at=now)
        if challenge is None:
            raise LoginChallengeInvalid
        with uow:
            user = uow.users.get(challenge.user_id)
            if not _still_pending(user, challenge) or not user.active:
                raise LoginChallengeInvalid
            accept_code(uow, user, cmd.one_time_code, now=now, purpose="log-in")
            result = self._start_session(uow, user, now, replacing=cmd.replacing)
            uow.commit()
        return result

    def pending_log_in(
        self, challenge: str, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> SecondFactorNeeded:
        """What a still-valid challenge is waiting for (to show the code form again).

        Raises:
            LoginChallengeInvalid: forged, expired or already used.
        """
        now = self._session_now(clock)
        opened = open_challenge(self._challenge_key, challenge, at=now)
        if opened is None:
            raise LoginChallengeInvalid
        with uow.reading():
            user = uow.users.get(opened.user_id)
        if not _still_pending(user, opened):
            raise LoginChallengeInvalid
        secret = user.totp_secret
        pending = None if user.mfa_enrolled or secret is None else enrolment_of(user, secret)
        return SecondFactorNeeded(
            challenge=challenge,
            expires_at=opened.expires_at,
            username=user.username,
            enrolment=pending,
        )

    def _second_factor_needed(
        self, uow: AbstractUnitOfWork, user: User, now: dt.datetime
    ) -> SecondFactorNeeded:
        """A challenge for ``user``; a new pending secret first when they have not enrolled."""
        enrolment = None
        if not user.mfa_enrolled:
            enrolment = begin_enrolment(uow, user, now, via="log-in")
        token, challenge = seal_challenge(
            self._challenge_key, user_id=user.id, user_version=user.version, at=now
        )
        return SecondFactorNeeded(
            challenge=token,
            expires_at=challenge.expires_at,
            username=user.username,
            enrolment=enrolment,
        )

    def _start_session(
        self, uow: AbstractUnitOfWork, user: User, now: dt.datetime, *, replacing: str | None
    ) -> LoginResult:
        """A new session for ``user`` (ending the browser's previous one); audited, not committed."""
        token = new_secret_token()
        replaced = None
        if replacing:
            old = uow.sessions.get(secret_digest(replacing))
            if old is not None and old.ended_at is None:
                old.end(SessionEnd.ROTATED, now)
                uow.sessions.save(old)
                replaced = old.id[:12]
        session = AuthSession.start(
            digest=secret_digest(token), user_id=user.id, at=now, policy=self.policy
        )
        uow.sessions.add(session)
        uow.audit.record(
            actor=user.as_actor(),
            action=Action.SESSION_LOGIN,
            subject=Subject(kind="user", ident=user.id),
            at=now,
            details={
                "session": session.id[:12],
                "replaced_session": replaced,
                "second_factor": user.mfa_enrolled,
            },
        )
        return LoginResult(
            session_token=token,
            authenticated=_authenticated(user, session.id),
            expires_at=session.expires_at,
        )

    # ------------------------------------------------------------------ self-service enrolment

    def mfa_status(self, cmd: ReadMfaStatus, *, uow: AbstractUnitOfWork, clock: Clock) -> MfaStatus:
        """The actor's own enrolment: enrolled (since when), pending, required by the clinic."""
        del clock  # nothing is written
        with uow.reading():
            user = uow.users.get(cmd.actor.user_id)
        if user is None:
            raise NotAuthenticated(detail="no such account")
        return MfaStatus(
            enrolled=user.mfa_enrolled,
            enrolled_at=user.totp_enrolled_at,
            required=user.needs_mfa(required_for_roles=self.mfa_required),
            pending=None
            if user.mfa_enrolled or user.totp_secret is None
            else enrolment_of(user, user.totp_secret),
        )

    def start_enrolment(
        self, cmd: StartEnrolment, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> TotpEnrolment:
        """A new secret for the actor's own account, to confirm with its first code.

        Raises:
            MfaAlreadyEnrolled: an authenticator is enrolled (an administrator resets it).
        """
        now = self._session_now(clock)
        with uow:
            user = uow.users.get(cmd.actor.user_id)
            if user is None:
                raise NotAuthenticated(detail="no such account")
            if user.mfa_enrolled:
                raise MfaAlreadyEnrolled(username=user.username)
            enrolment = begin_enrolment(uow, user, now, via="account page")
            uow.commit()
        return enrolment

    def confirm_enrolment(
        self, cmd: ConfirmEnrolment, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> MfaStatus:
        """Confirm the actor's pending secret with a current code; from then on codes are needed.

        Raises:
            MfaAlreadyEnrolled: already enrolled.
            TotpInvalid: no enrolment is pending.
            AccountLocked, OneTimeCodeWrong: as at log-in (a wrong code counts as a failure).
        """
        now = self._session_now(clock)
        with uow:
            user = uow.users.get(cmd.actor.user_id)
            if user is None:
                raise NotAuthenticated(detail="no such account")
            if user.mfa_enrolled:
                raise MfaAlreadyEnrolled(username=user.username)
            if user.totp_secret is None:
                raise TotpInvalid(where="enrolment", detail="none is pending: start again")
            accept_code(uow, user, cmd.one_time_code, now=now, purpose="enrolment")
            uow.commit()
        return MfaStatus(
            enrolled=True,
            enrolled_at=user.totp_enrolled_at,
            required=user.needs_mfa(required_for_roles=self.mfa_required),
            pending=None,
        )

    def log_out(self, cmd: LogOut, *, uow: AbstractUnitOfWork, clock: Clock) -> None:
        """End the session (idempotent: an unknown or ended session is left as it is)."""
        now = self._session_now(clock)
        with uow:
            session = uow.sessions.get(secret_digest(cmd.session_token))
            if session is None or session.ended_at is not None:
                return
            session.end(SessionEnd.LOGOUT, now)
            uow.sessions.save(session)
            user = uow.users.get(session.user_id)
            if user is not None:
                uow.audit.record(
                    actor=user.as_actor(),
                    action=Action.SESSION_LOGOUT,
                    subject=Subject(kind="user", ident=user.id),
                    at=now,
                    details={"session": session.id[:12]},
                )
            uow.commit()

    def authenticate_session(
        self, cmd: AuthenticateSession, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> Authenticated:
        """The user behind a valid session; notes the activity (at most once a minute).

        Raises:
            NotAuthenticated: no such session.
            SessionExpired: ended, idle too long, past its absolute lifetime, or account disabled.
        """
        now = self._session_now(clock)
        digest = secret_digest(cmd.session_token)
        with uow.reading():
            session = uow.sessions.get(digest)
            user = uow.users.get(session.user_id) if session is not None else None
            reach = reach_of(uow, user, now)
        if session is None:
            raise NotAuthenticated(detail="no session")
        ended = session.expiry(now, self.policy)
        if ended is not None and session.ended_at is not None:  # logged out or expiry recorded
            raise SessionExpired(reason=ended.value)
        valid = ended is None and user is not None and user.active
        if valid and user is not None and not session.needs_touch(now, self.policy):
            return _authenticated(user, session.id, reach)
        with uow:  # the expiry or the activity must be stored: check again, in a write
            session = uow.sessions.get(digest)
            if session is None:
                raise NotAuthenticated(detail="no session")
            user = uow.users.get(session.user_id)
            reason = session.expiry(now, self.policy)
            if reason is None and (user is None or not user.active):
                reason = SessionEnd.DISABLED
            if reason is not None:
                if session.ended_at is None:
                    session.end(reason, now)
                    uow.sessions.save(session)
                    if user is not None:
                        uow.audit.record(
                            actor=user.as_actor(),
                            action=Action.SESSION_EXPIRED,
                            subject=Subject(kind="user", ident=user.id),
                            at=now,
                            details={"session": session.id[:12], "reason": reason.value},
                        )
                    uow.commit()
                raise SessionExpired(reason=reason.value)
            assert user is not None  # noqa: S101 - a missing user is handled above
            if session.touch(now, self.policy):
                uow.sessions.save(session)
                uow.commit()
        return _authenticated(user, session.id, reach)

    def authenticate_token(
        self, cmd: AuthenticateToken, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> Authenticated:
        """The user behind a valid API token.

        Raises:
            NotAuthenticated: unknown, expired or revoked token, or a disabled account.
        """
        now = clock.now()
        with uow.reading():
            token = uow.api_tokens.get_by_digest(secret_digest(cmd.api_token))
            user = uow.users.get(token.user_id) if token is not None else None
            reach = reach_of(uow, user, now)
        if token is None or user is None or not token.is_valid(now) or not user.active:
            raise NotAuthenticated(detail="the API token is unknown, expired or revoked")
        found = _authenticated(user, reach=reach)
        return dataclasses.replace(found, actor=dataclasses.replace(found.actor, token_id=token.id))

    def confirm_presence(
        self,
        uow: AbstractUnitOfWork,
        user_id: str,
        password: str,
        one_time_code: str | None,
        *,
        now: dt.datetime,
        totp_now: dt.datetime | None = None,
        purpose: str,
    ) -> User:
        """The account ``user_id`` after checking its password again (and its one-time code once
        enrolled), inside the caller's open unit of work. Failures count towards the log-in
        throttle and are audited (committed); success commits nothing.

        Raises:
            AccountLocked, LoginFailed: as for a log-in.
            OneTimeCodeRequired: the account has enrolled an authenticator and sent no code.
            OneTimeCodeWrong: a wrong or replayed code (counted as a failure).
        """
        user = uow.users.get(user_id)
        if user is None:
            raise LoginFailed
        user = self._check_password(uow, user.username, password, now)
        if user.id != user_id:
            raise LoginFailed
        if user.mfa_enrolled:
            if one_time_code is None or not one_time_code.strip():
                raise OneTimeCodeRequired(field=ONE_TIME_CODE_FIELD)
            accept_code(
                uow, user, one_time_code, now=now, purpose=purpose, totp_now=totp_now or now
            )
        return user

    def reauthenticate(
        self, cmd: Reauthenticate, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> ConfirmationToken:
        """Prove, by the password again (and a one-time code once enrolled), that the signer is
        present for this exact diff.

        Raises:
            AccountLocked, LoginFailed: as for a log-in (failures count towards the same limit).
            OneTimeCodeRequired: the signer has enrolled and sent no code.
            OneTimeCodeWrong: a wrong or replayed code (counted as a failure).
        """
        now = clock.now()
        with uow:
            user = self.confirm_presence(
                uow,
                cmd.actor.user_id,
                cmd.password,
                cmd.one_time_code,
                now=now,
                totp_now=self._session_now(clock),
                purpose="re-authentication",
            )
            token = ConfirmationToken(
                token_id=secrets.token_urlsafe(16),
                user_id=user.id,
                change_id=cmd.change_id,
                diff_digest=cmd.diff_digest,
                authenticated_at=now,
            )
            uow.audit.record(
                actor=user.as_actor(),
                action=Action.SESSION_REAUTHENTICATE,
                subject=Subject(kind="program-change", ident=cmd.change_id),
                at=now,
                details={"diff_digest": cmd.diff_digest, "token": token.token_id[:8]},
            )
            uow.commit()
        return token
