"""Account use cases: create users and service accounts, list them, deactivate and reactivate
them, change one's password, issue, list and revoke API tokens, enrol and reset a user's
authenticator.

Passwords are checked against the policy (SR-19) and stored only as an adaptive hash; API tokens
are shown once, at issue, and stored only as a SHA-256 digest. Who may hold a token is
:mod:`thecal.domain.api_tokens`: oneself after re-authenticating (password, and the one-time code
once enrolled), or — issued by an administrator — a non-clinical service account; never a
clinician or a patient by someone else (issue 15 §1). A token is revoked by its holder or an
administrator, at once. Deactivating an account ends its sessions and revokes its tokens in the
same transaction (a deactivated user cannot log in); reactivating it issues nothing back. A
password change needs the current password (and code) and ends the account's other sessions.
An authenticator enrolled by an administrator (``thecal users mfa-enroll``) is confirmed at once
and its secret shown once; a reset (``thecal users mfa-reset``, the recovery for a lost device)
removes the enrolment, so the user enrols again at their next log-in. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.api_tokens import (
    TokenGrant,
    TokenNeedsReauthentication,
    check_token_revoker,
    token_expiry,
    token_grant,
)
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.credentials import WeakPassword, check_password_policy, secret_digest
from thecal.domain.errors import Conflict, NotFound
from thecal.domain.sessions import ApiToken, SessionEnd
from thecal.domain.totp import new_secret, otpauth_uri
from thecal.domain.users import (
    SERVICE_ROLES,
    Actor,
    CannotDeactivateSelf,
    Role,
    User,
    UserInvalid,
)
from thecal.services.clock import Clock
from thecal.services.identity import Identity, new_secret_token
from thecal.services.passwords import PasswordHasher
from thecal.services.second_factor import TotpEnrolment
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "API_TOKEN_PREFIX",
    "MAX_TOKEN_PAGE",
    "MAX_USER_PAGE",
    "Accounts",
    "ChangePassword",
    "CreateUser",
    "DuplicateUsername",
    "EnrolAuthenticator",
    "IssueApiToken",
    "IssuedApiToken",
    "ListApiTokens",
    "ListUsers",
    "ResetAuthenticator",
    "RevokeApiToken",
    "SetAccountActive",
    "UserNotFound",
]

API_TOKEN_PREFIX = "thc_"  # noqa: S105 - a visible prefix, not a secret
MAX_USER_PAGE = 100
MAX_TOKEN_PAGE = 200
_USERS = Subject.collection("users")


class DuplicateUsername(Conflict):
    code = "THC-USER-003"
    template = "the username {username!r} is taken"


class UserNotFound(NotFound):
    code = "THC-USER-004"
    template = "user {ident} not found"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateUser:
    actor: Actor
    username: str
    role: Role
    display_name: str
    password: str | None  # None (only) for a service account, which never logs in
    patient_id: str | None = None
    user_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsers:
    actor: Actor
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueApiToken:
    actor: Actor
    user_id: str
    label: str
    expires_at: dt.datetime | None = None
    # a token for oneself: the actor's password again (and the current one-time code once enrolled)
    password: str | None = None
    one_time_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeApiToken:
    actor: Actor
    token_id: str
    user_id: str | None = None  # when given, the token must be this account's


@dataclass(frozen=True, slots=True, kw_only=True)
class ListApiTokens:
    actor: Actor
    user_id: str | None  # None: every account's (administrators only)
    limit: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class SetAccountActive:
    actor: Actor
    user_id: str
    active: bool
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword:
    actor: Actor
    current_password: str
    new_password: str
    one_time_code: str | None = None
    keep_session_id: str | None = None  # the session the change is made from stays signed in


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrolAuthenticator:
    actor: Actor
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetAuthenticator:
    actor: Actor
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedApiToken:
    token: str  # the only copy: shown once
    record: ApiToken


class ServiceAccountPassword(UserInvalid):
    code = "THC-USER-006"
    template = "{detail}"


class Accounts:
    """Account administration, wired with the password hasher and the identity use cases (for
    re-authentication and the sessions' clock)."""

    def __init__(self, *, hasher: PasswordHasher, identity: Identity | None = None) -> None:
        self.hasher = hasher
        self.identity = identity or Identity(hasher=hasher)

    def create_user(self, cmd: CreateUser, *, uow: AbstractUnitOfWork, clock: Clock) -> User:
        """Create an active account with a policy-checked password.

        Raises:
            AccessDenied: the actor is not an administrator.
            WeakPassword, UserInvalid: the password or account data are not acceptable.
            DuplicateUsername: the username is taken.
            NotFound: a patient account names a patient that does not exist.
        """
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        service = cmd.role in SERVICE_ROLES
        if service and cmd.password:
            raise ServiceAccountPassword(
                detail="a service account has no password: it never logs in and acts only"
                " through API tokens an administrator issues to it"
            )
        if not service and cmd.password is None:
            raise WeakPassword(detail="a password is needed for an account that logs in")
        if cmd.password is not None:
            check_password_policy(cmd.password, username=cmd.username)
        now = clock.now()
        user = User(
            id=cmd.user_id or str(uuid.uuid4()),
            username=cmd.username,
            role=cmd.role,
            display_name=cmd.display_name.strip() or cmd.username,
            created_at=now,
            patient_id=cmd.patient_id,
            password_hash=None if cmd.password is None else self.hasher.hash(cmd.password),
        )
        if len(user.username) > 100:
            raise UserInvalid(where="username", detail="is longer than 100 characters")
        with uow:
            if uow.users.get_by_username(user.username) is not None:
                raise DuplicateUsername(username=user.username)
            if user.patient_id is not None and uow.patients.get(user.patient_id) is None:
                raise NotFound(kind="patient", ident=user.patient_id)
            uow.users.add(user)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details={"op": "create", "username": user.username, "user_role": user.role.value},
            )
            uow.commit()
        return user

    def list_users(
        self, cmd: ListUsers, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> Sequence[User]:
        """A page of accounts ordered by username (no password hashes leave the services)."""
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        limit = max(1, min(cmd.limit, MAX_USER_PAGE))
        with uow:
            found = uow.users.page(limit=limit, offset=max(0, cmd.offset))
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=_USERS,
                at=clock.now(),
                details={"op": "list", "returned": len(found)},
            )
            uow.commit()
        return found

    def issue_api_token(
        self, cmd: IssueApiToken, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> IssuedApiToken:
        """A new bearer token acting as ``user_id``; only its digest is stored.

        Issued to the actor themselves after re-authentication, or by an administrator to a
        service account (:func:`~thecal.domain.api_tokens.token_grant`; issue 15 §1: no one acts
        as someone else); it always expires (:func:`~thecal.domain.api_tokens.token_expiry`).

        Raises:
            TokenForAnotherUser: another account that is not a service account (or the actor is
                not an administrator).
            TokenNeedsReauthentication: a token for oneself without the password.
            LoginFailed, AccountLocked, OneTimeCodeRequired, OneTimeCodeWrong: re-authentication.
            TokenExpiryInvalid: the expiry is in the past or beyond the maximum.
            UserNotFound: no such account (or it is deactivated).
        """
        now = clock.now()
        expires_at = token_expiry(cmd.expires_at, now=now)
        secret = new_secret_token(API_TOKEN_PREFIX)
        record = ApiToken(
            id=str(uuid.uuid4()),
            user_id=cmd.user_id,
            digest=secret_digest(secret),
            label=cmd.label.strip()[:100] or "api token",
            created_at=now,
            expires_at=expires_at,
        )
        with uow:
            holder = _account(uow, cmd.user_id)
            grant = token_grant(cmd.actor, holder_id=holder.id, holder_role=holder.role)
            if not holder.active:
                raise UserNotFound(ident=f"{holder.username} (deactivated)")
            if grant is TokenGrant.SELF:
                if not cmd.password:
                    raise TokenNeedsReauthentication(detail="no password was given")
                self.identity.confirm_presence(
                    uow,
                    holder.id,
                    cmd.password,
                    cmd.one_time_code,
                    now=now,
                    totp_now=self.identity.session_now(clock),
                    purpose="token issue",
                )
            uow.api_tokens.add(record)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=cmd.user_id),
                at=now,
                details={
                    "op": "token.issue",
                    "token_id": record.id,
                    "label": record.label,
                    "grant": grant.value,
                    "expires_at": expires_at.isoformat(),
                },
            )
            uow.commit()
        return IssuedApiToken(token=secret, record=record)

    def list_api_tokens(
        self, cmd: ListApiTokens, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> Sequence[ApiToken]:
        """Tokens newest first: the actor's own, or (administrators) one account's or everyone's.

        Raises:
            TokenNotYours: another account's tokens, and the actor is not an administrator.
        """
        if cmd.user_id is None:
            authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        else:
            check_token_revoker(cmd.actor, cmd.user_id, what="list")
        limit = max(1, min(cmd.limit, MAX_TOKEN_PAGE))
        with uow:
            found = uow.api_tokens.listed(user_id=cmd.user_id, limit=limit)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=cmd.user_id) if cmd.user_id else _USERS,
                at=clock.now(),
                details={"op": "token.list", "returned": len(found)},
            )
            uow.commit()
        return found

    def revoke_api_token(
        self, cmd: RevokeApiToken, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> ApiToken:
        """Revoke a token at once (its holder or an administrator); revoking twice changes nothing.

        Raises:
            NotFound: no such token.
            TokenNotYours: another account's token, and the actor is not an administrator.
        """
        now = clock.now()
        with uow:
            record = uow.api_tokens.get(cmd.token_id)
            if record is None or cmd.user_id not in (None, record.user_id):
                raise NotFound(kind="api token", ident=cmd.token_id)
            check_token_revoker(cmd.actor, record.user_id)
            was_revoked = record.revoked_at is not None
            if not was_revoked:
                record.revoked_at = now
                uow.api_tokens.save(record)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=record.user_id),
                at=now,
                details={
                    "op": "token.revoke",
                    "token_id": record.id,
                    "label": record.label,
                    "already_revoked": was_revoked,
                },
            )
            uow.commit()
        return record

    def set_account_active(
        self, cmd: SetAccountActive, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> User:
        """Deactivate (ending every session and revoking every token at once) or reactivate.

        A reactivated account logs in again with its password; its old sessions and tokens stay
        ended (new tokens are issued afresh).

        Raises:
            AccessDenied: the actor is not an administrator.
            CannotDeactivateSelf: an administrator deactivating their own account.
            UserNotFound: no such account.
        """
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        if not cmd.active and cmd.actor.user_id == cmd.user_id:
            raise CannotDeactivateSelf
        now = clock.now()
        session_now = self.identity.session_now(clock)
        with uow:
            user = _account(uow, cmd.user_id)
            ended = revoked = 0
            changed = user.active != cmd.active
            if changed:
                user.active = cmd.active
                user.version += 1
                uow.users.update(user)
            if not cmd.active:
                for session in uow.sessions.open_for_user(user.id):
                    session.end(SessionEnd.DISABLED, session_now)
                    uow.sessions.save(session)
                    ended += 1
                for token in uow.api_tokens.listed(user_id=user.id, limit=10_000):
                    if token.revoked_at is None:
                        token.revoked_at = now
                        uow.api_tokens.save(token)
                        revoked += 1
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details={
                    "op": "activate" if cmd.active else "deactivate",
                    "username": user.username,
                    "changed": changed,
                    "sessions_ended": ended,
                    "tokens_revoked": revoked,
                    "reason": cmd.reason.strip()[:200],
                },
            )
            uow.commit()
        return user

    def change_password(
        self, cmd: ChangePassword, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> User:
        """Change the actor's own password after re-authenticating; ends their other sessions.

        Raises:
            LoginFailed, AccountLocked, OneTimeCodeRequired, OneTimeCodeWrong: re-authentication.
            WeakPassword: the new password breaks the policy or equals the current one.
        """
        now = clock.now()
        session_now = self.identity.session_now(clock)
        with uow:
            user = self.identity.confirm_presence(
                uow,
                cmd.actor.user_id,
                cmd.current_password,
                cmd.one_time_code,
                now=session_now,
                purpose="password change",
            )
            check_password_policy(cmd.new_password, username=user.username)
            if cmd.new_password == cmd.current_password:
                raise WeakPassword(detail="it must differ from the current password")
            user.password_hash = self.hasher.hash(cmd.new_password)
            user.version += 1
            uow.users.update(user)
            ended = 0
            for session in uow.sessions.open_for_user(user.id):
                if session.id != cmd.keep_session_id:
                    session.end(SessionEnd.PASSWORD_CHANGED, session_now)
                    uow.sessions.save(session)
                    ended += 1
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details={
                    "op": "password.change",
                    "username": user.username,
                    "other_sessions_ended": ended,
                },
            )
            uow.commit()
        return user

    def enrol_authenticator(
        self, cmd: EnrolAuthenticator, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> TotpEnrolment:
        """Enrol a new secret for ``user_id`` at once; the caller shows it to the user once.

        Raises:
            AccessDenied: the actor is not an administrator.
            UserNotFound: no such account.
            MfaAlreadyEnrolled: the account has an authenticator (reset it first).
        """
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        now = clock.now()
        with uow:
            user = _account(uow, cmd.user_id)
            secret = new_secret()
            user.enrol_authenticator(secret, now)  # refused if one is enrolled
            user.version += 1
            uow.users.update(user)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.MFA_ENROLLED,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details={"username": user.username, "via": "administrator"},
            )
            uow.commit()
        return TotpEnrolment(secret=secret, otpauth_uri=otpauth_uri(secret, account=user.username))

    def reset_authenticator(
        self, cmd: ResetAuthenticator, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> User:
        """Remove ``user_id``'s authenticator (enrolled or pending): the recovery for a lost device.

        Raises:
            AccessDenied: the actor is not an administrator.
            UserNotFound: no such account.
        """
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        now = clock.now()
        with uow:
            user = _account(uow, cmd.user_id)
            was_enrolled = user.mfa_enrolled
            user.clear_authenticator()
            user.version += 1
            uow.users.update(user)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.MFA_RESET,
                subject=Subject(kind="user", ident=user.id),
                at=now,
                details={"username": user.username, "was_enrolled": was_enrolled},
            )
            uow.commit()
        return user


def _account(uow: AbstractUnitOfWork, user_id: str) -> User:
    """The stored account ``user_id``.

    Raises:
        UserNotFound: no such account.
    """
    user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(ident=user_id)
    return user
