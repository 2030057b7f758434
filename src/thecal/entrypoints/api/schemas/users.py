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
    "ApiTokenCreate",
    "ApiTokenIssued",
    "UserCreate",
    "UserPublic",
    "UsersPublic",
]


class UserCreate(In):
    username: Annotated[str, text_rule(100, 1)]
    role: Role
    display_name: Annotated[str, text_rule(200)]
    password: Annotated[str, StringConstraints(min_length=12, max_length=128)]
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


class ApiTokenCreate(In):
    label: Annotated[str, text_rule(100, 1)]
    expires_at: IsoInstant | None = None


class ApiTokenIssued(Out):
    id: str
    user_id: str
    label: str
    token: str = Field(description="Shown once; stored only as a digest.")
    expires_at: dt.datetime | None
