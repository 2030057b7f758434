"""User accounts → API documents."""

from __future__ import annotations

import datetime as dt

from thecal.domain.sessions import ApiToken
from thecal.domain.users import User
from thecal.entrypoints.api.schemas.users import ApiTokenPublic, UserPublic

__all__ = [
    "token_public",
    "user_public",
]


def token_public(token: ApiToken, *, now: dt.datetime) -> ApiTokenPublic:
    return ApiTokenPublic(
        id=token.id,
        user_id=token.user_id,
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        active=token.is_valid(now),
    )


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        patient_id=user.patient_id,
        active=user.active,
        created_at=user.created_at,
    )
