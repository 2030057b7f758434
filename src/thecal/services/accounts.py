"""Account use cases: create users, list them, issue and revoke API tokens, enrol and reset a
user's authenticator (admin only).

Passwords are checked against the policy (SR-19) and stored only as an adaptive hash; API tokens
are shown once, at issue, and stored only as a SHA-256 digest. An authenticator enrolled by an
administrator (``thecal users mfa-enroll``) is confirmed at once and its secret shown once; a reset
(``thecal users mfa-reset``, the recovery for a lost device) removes the enrolment, so the user
enrols again at their next log-in. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.api_tokens import check_token_holder, token_expiry
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.credentials import check_password_policy, secret_digest
from thecal.domain.errors import Conflict, NotFound
from thecal.domain.sessions import ApiToken
from thecal.domain.totp import new_secret, otpauth_uri
from thecal.domain.users import Actor, Role, User, UserInvalid
from thecal.services.clock import Clock
from thecal.services.identity import new_secret_token
from thecal.services.passwords import PasswordHasher
from thecal.services.second_factor import TotpEnrolment
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "API_TOKEN_PREFIX",
    "MAX_USER_PAGE",
    "Accounts",
    "CreateUser",
    "DuplicateUsername",
    "EnrolAuthenticator",
    "IssueApiToken",
    "IssuedApiToken",
    "ListUsers",
    "ResetAuthenticator",
    "RevokeApiToken",
    "UserNotFound",
]

API_TOKEN_PREFIX = "thc_"  # noqa: S105 - a visible prefix, not a secret
MAX_USER_PAGE = 100
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
    password: str
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


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeApiToken:
    actor: Actor
    token_id: str


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


class Accounts:
    """Account administration, wired with the password hasher."""

    def __init__(self, *, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    def create_user(self, cmd: CreateUser, *, uow: AbstractUnitOfWork, clock: Clock) -> User:
        """Create an active account with a policy-checked password.

        Raises:
            AccessDenied: the actor is not an administrator.
            WeakPassword, UserInvalid: the password or account data are not acceptable.
            DuplicateUsername: the username is taken.
            NotFound: a patient account names a patient that does not exist.
        """
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        check_password_policy(cmd.password, username=cmd.username)
        now = clock.now()
        user = User(
            id=cmd.user_id or str(uuid.uuid4()),
            username=cmd.username,
            role=cmd.role,
            display_name=cmd.display_name.strip() or cmd.username,
            created_at=now,
            patient_id=cmd.patient_id,
            password_hash=self.hasher.hash(cmd.password),
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

        A token is issued only to the actor themselves (issue 15 §1: no one acts as someone
        else) and always expires (:func:`~thecal.domain.api_tokens.token_expiry`).

        Raises:
            TokenForAnotherUser: ``user_id`` is not the actor (an administrator included).
            TokenExpiryInvalid: the expiry is in the past or beyond the maximum.
            UserNotFound: no such account.
        """
        check_token_holder(cmd.actor, cmd.user_id)
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
            _account(uow, cmd.user_id)
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
                    "expires_at": expires_at.isoformat(),
                },
            )
            uow.commit()
        return IssuedApiToken(token=secret, record=record)

    def revoke_api_token(
        self, cmd: RevokeApiToken, *, uow: AbstractUnitOfWork, clock: Clock
    ) -> ApiToken:
        authorize(cmd.actor, Action.USER_MANAGE, _USERS)
        now = clock.now()
        with uow:
            record = uow.api_tokens.get(cmd.token_id)
            if record is None:
                raise NotFound(kind="api token", ident=cmd.token_id)
            if record.revoked_at is None:
                record.revoked_at = now
                uow.api_tokens.save(record)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.USER_MANAGE,
                subject=Subject(kind="user", ident=record.user_id),
                at=now,
                details={"op": "token.revoke", "token_id": record.id},
            )
            uow.commit()
        return record

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
