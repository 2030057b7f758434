"""Users of thecal and the authenticated principal a use case acts for.

A :class:`User` is the stored account; an :class:`Actor` is the frozen identity that reaches a use
case (who, in which role, and — for a patient user — whose record is theirs). Password hashing and
sessions belong to the authentication edge; this module only keeps the record, including the
account's one-time-password enrolment (:mod:`thecal.domain.totp`): the secret, when it was
confirmed and the last time step accepted (codes are used once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.care_teams import CareReach
from thecal.domain.errors import PermissionDenied, RequestInvalid

__all__ = ["MFA_ROLES", "Actor", "Role", "UnknownUser", "User", "UserInvalid"]


class Role(StrEnum):
    """The five roles of architecture.md §1; the value is the stored code."""

    PHYSICIAN = "physician"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    ADMIN = "admin"
    PATIENT = "patient"


#: The roles that must log in with a second factor when the clinic requires it (SR-19: clinicians
#: and administrators; a patient may enrol but is never made to).
MFA_ROLES = frozenset({Role.PHYSICIAN, Role.NURSE, Role.PHARMACIST, Role.ADMIN})


class UserInvalid(RequestInvalid):
    code = "THC-USER-001"
    template = "invalid user {where}: {detail}"


class UnknownUser(PermissionDenied):
    code = "THC-USER-002"
    template = "no active user {username!r}: an administrator must create the account first"


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who is acting: a user id, their role and, for a patient user, their own patient id."""

    user_id: str
    role: Role
    patient_id: str | None = None
    active: bool = True
    #: The API token the actor authenticated with (recorded in every audit entry), if any.
    token_id: str | None = None
    #: The patients a clinician may reach (their care teams', and any opened by break-glass),
    #: resolved at the edge for every request (SR-21). None: not scoped by care team (the
    #: shell operator's and the seeding's actors; every signed-in clinician has a reach).
    reach: CareReach | None = None

    def __post_init__(self) -> None:
        if not self.user_id:
            raise UserInvalid(where="user_id", detail="must not be empty")
        if (self.role is Role.PATIENT) != (self.patient_id is not None):
            raise UserInvalid(
                where="patient_id",
                detail="a patient user must be linked to exactly one patient; other roles to none",
            )


@dataclass(kw_only=True, eq=False)
class User:
    """A stored account. Entities compare by id."""

    id: str
    username: str
    role: Role
    display_name: str
    created_at: dt.datetime
    patient_id: str | None = None
    password_hash: str | None = None
    active: bool = True
    version: int = 1
    totp_secret: str | None = None  # base32; set and unconfirmed while an enrolment is pending
    totp_enrolled_at: dt.datetime | None = None  # when a first code confirmed the secret
    totp_last_step: int | None = None  # the last accepted time step: a code is used once

    def __post_init__(self) -> None:
        if not self.username or self.username != self.username.strip():
            raise UserInvalid(where="username", detail="must be non-empty without outer spaces")
        if self.created_at.utcoffset() is None:
            raise UserInvalid(where="created_at", detail="must be timezone-aware")
        if self.totp_enrolled_at is not None and self.totp_secret is None:
            raise UserInvalid(where="totp_enrolled_at", detail="an enrolment needs its secret")
        if self.totp_enrolled_at is not None and self.totp_enrolled_at.utcoffset() is None:
            raise UserInvalid(where="totp_enrolled_at", detail="must be timezone-aware")
        self.as_actor()  # validates the role ↔ patient link

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def mfa_enrolled(self) -> bool:
        """An authenticator is confirmed: every log-in and re-authentication needs its code."""
        return self.totp_enrolled_at is not None

    def needs_mfa(self, *, required_for_roles: bool) -> bool:
        """Whether a log-in must pass a one-time code (enrolled, or the clinic requires it)."""
        return self.mfa_enrolled or (required_for_roles and self.role in MFA_ROLES)

    def begin_authenticator(self, secret: str) -> None:
        """A new secret waiting for its first code (replacing an unconfirmed one).

        Raises:
            MfaAlreadyEnrolled: an authenticator is confirmed (an administrator resets it).
        """
        self._not_enrolled()
        self.totp_secret = secret
        self.totp_last_step = None

    def accept_code_step(self, step: int, at: dt.datetime) -> bool:
        """Note an accepted code's time step (a code is used once); True if it confirmed a
        pending enrolment at ``at``."""
        self.totp_last_step = step
        if self.mfa_enrolled:
            return False
        self.totp_enrolled_at = at
        return True

    def enrol_authenticator(self, secret: str, at: dt.datetime) -> None:
        """An administrator's enrolment: the secret is in force at once.

        Raises:
            MfaAlreadyEnrolled: an authenticator is confirmed (reset it first).
        """
        self._not_enrolled()
        self.totp_secret = secret
        self.totp_enrolled_at = at
        self.totp_last_step = None

    def _not_enrolled(self) -> None:
        from thecal.domain.credentials import MfaAlreadyEnrolled  # noqa: PLC0415 - no cycle

        if self.mfa_enrolled:
            raise MfaAlreadyEnrolled(username=self.username)

    def clear_authenticator(self) -> None:
        """No authenticator, enrolled or pending (the recovery for a lost device)."""
        self.totp_secret = None
        self.totp_enrolled_at = None
        self.totp_last_step = None

    def as_actor(self) -> Actor:
        return Actor(
            user_id=self.id, role=self.role, patient_id=self.patient_id, active=self.active
        )
