"""User accounts and their API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
)

from thecal.domain.users import Role
from thecal.entrypoints.api.schemas.fields import (
    Ident,
    In,
    IsoInstant,
    Out,
    text_rule,
)

__all__ = [
    "AccountActivity",
    "ApiTokenCreate",
    "ApiTokenIssued",
    "ApiTokenPublic",
    "ApiTokensPublic",
    "PasswordChange",
    "UserCreate",
    "UserPublic",
    "UsersPublic",
]


class UserCreate(In):
    username: Annotated[str, text_rule(100, 1)]
    role: Role
    display_name: Annotated[str, text_rule(200)]
    password: Annotated[str, StringConstraints(min_length=12, max_length=128)] | None = Field(
        default=None,
        description="Required for every role that logs in; absent for a service account"
        " (role `integration`), which acts only through tokens an administrator issues.",
    )
    patient_id: Ident | None = None


class UserPublic(Out):
    id: str
    username: str
    role: Role
    display_name: str
    patient_id: str | None
    active: bool
    created_at: dt.datetime


class UsersPublic(Out):
    items: list[UserPublic]
    limit: int
    offset: int


_Password = Annotated[str, StringConstraints(min_length=1, max_length=128)]
_Code = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class ApiTokenCreate(In):
    label: Annotated[str, text_rule(100, 1)]
    expires_at: IsoInstant | None = None
    password: _Password | None = Field(
        default=None,
        description="A token for yourself: your password again (re-authentication). Not needed"
        " when an administrator issues a token to a service account.",
    )
    one_time_code: _Code | None = Field(
        default=None, description="Your authenticator's current code, once you have enrolled one."
    )


class ApiTokenPublic(Out):
    id: str
    user_id: str
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool = Field(description="Neither revoked nor expired now.")


class ApiTokensPublic(Out):
    items: list[ApiTokenPublic]


class AccountActivity(In):
    reason: Annotated[str, text_rule(200)] = ""


class PasswordChange(In):
    current_password: _Password
    new_password: Annotated[str, StringConstraints(min_length=12, max_length=128)]
    one_time_code: _Code | None = None


class ApiTokenIssued(Out):
    id: str
    user_id: str
    label: str
    token: str = Field(description="Shown once; stored only as a digest.")
    expires_at: dt.datetime | None
