"""User accounts → API documents."""

from __future__ import annotations

from thecal.domain.users import User
from thecal.entrypoints.api.schemas.users import UserPublic

__all__ = [
    "user_public",
]


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
