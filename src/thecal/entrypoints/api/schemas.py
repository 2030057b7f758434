"""Pydantic DTOs of the API: identity, users, audit and the problem document.

Names follow ``XCreate`` / ``XPublic`` / ``XsPublic`` (aesthetics.md §7.3 rule 10). Text fields
refuse control characters and carry the database's length limits, so bad input is a 422, never
a server error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from thecal.domain.program_change import OverrideReason
from thecal.domain.users import Role

__all__ = [
    "ApiTokenCreate",
    "ApiTokenIssued",
    "AuditEntriesPublic",
    "AuditEntryPublic",
    "FindingCode",
    "FindingPublic",
    "Flag",
    "Ident",
    "IsoDate",
    "IsoInstant",
    "LoginRequest",
    "OneTimeCode",
    "OverrideIn",
    "Problem",
    "ProblemFinding",
    "SessionPublic",
    "UserCreate",
    "UserPublic",
    "UsersPublic",
    "Whole",
    "text_rule",
]

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


def text_rule(max_length: int, min_length: int = 0) -> StringConstraints:
    """Text without control characters, ``min_length``–``max_length`` characters long."""
    return StringConstraints(max_length=max_length, min_length=min_length, pattern=_NO_CONTROL)


def _iso_text(value: object) -> object:
    """Only ISO text (or a date already parsed) becomes a date: never a number (a timestamp)."""
    if isinstance(value, str | dt.date):
        return value
    msg = "must be an ISO 8601 text"
    raise ValueError(msg)


#: A date or instant given as ISO text only (JSON numbers are not silently read as timestamps).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
IsoInstant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
#: Exact JSON integers and booleans: no "12" for 12, no 1.0, no true for 1.
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]

Ident = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemFinding(_Out):
    code: str
    severity: str
    message: str
    source: str


class Problem(_Out):
    """An RFC 9457 problem document with thecal's stable error code."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable thecal error code, e.g. THC-PAT-002.")
    instance: str
    fields: dict[str, str] = Field(default_factory=dict)
    findings: list[ProblemFinding] = Field(default_factory=list)


#: The current 6-digit code of the account's authenticator app (RFC 6238 TOTP, SR-19).
OneTimeCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class LoginRequest(_In):
    username: Annotated[str, text_rule(100, 1)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    one_time_code: OneTimeCode | None = Field(
        default=None,
        description=(
            "The current code of your authenticator app: needed once you have enrolled one, and "
            "for clinicians and admins when the clinic requires it (THECAL_MFA_REQUIRED). "
            "Without it such a log-in answers 401 THC-AUTH-016 (or THC-AUTH-018 with a new "
            "secret to enrol first)."
        ),
    )


class SessionPublic(_Out):
    user_id: str
    username: str
    role: Role
    display_name: str
    patient_id: str | None
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token on state-changing requests made with the cookie."
    )


class UserCreate(_In):
    username: Annotated[str, text_rule(100, 1)]
    role: Role
    display_name: Annotated[str, text_rule(200)]
    password: Annotated[str, StringConstraints(min_length=12, max_length=128)]
    patient_id: Ident | None = None


class UserPublic(_Out):
    id: str
    username: str
    role: Role
    display_name: str
    patient_id: str | None
    active: bool
    created_at: dt.datetime


class UsersPublic(_Out):
    items: list[UserPublic]
    limit: int
    offset: int


class ApiTokenCreate(_In):
    label: Annotated[str, text_rule(100, 1)]
    expires_at: IsoInstant | None = None


class ApiTokenIssued(_Out):
    id: str
    user_id: str
    label: str
    token: str = Field(description="Shown once; stored only as a digest.")
    expires_at: dt.datetime | None


class AuditEntryPublic(_Out):
    sequence: int
    occurred_at: dt.datetime
    actor: str
    action: str
    subject: str
    details_json: str
    entry_hash: str


class AuditEntriesPublic(_Out):
    items: list[AuditEntryPublic]
    limit: int
    next_before_sequence: int | None = Field(
        description="Pass as before_sequence for the next (older) page; null at the start."
    )


# ----------------------------------------------------------------------------- safety findings

FindingCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,40}$")]


class FindingPublic(BaseModel):
    """A safety-review finding: stable code, severity, message with its numbers, source."""

    model_config = ConfigDict(extra="forbid")

    code: str
    severity: str
    message: str
    source: str


class OverrideIn(BaseModel):
    """A clinician's written reason for going past one ``override`` finding."""

    model_config = ConfigDict(extra="forbid")

    finding_code: FindingCode
    reason: OverrideReason
    text: Annotated[str, text_rule(2000, 1)]
