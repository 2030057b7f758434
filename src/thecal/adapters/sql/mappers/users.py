"""Rows ↔ the ``User`` account (``tables/users.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.users import Role, User

__all__ = [
    "user_from_row",
    "user_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def user_to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "display_name": user.display_name,
        "patient_id": user.patient_id,
        "password_hash": user.password_hash,
        "active": user.active,
        "created_at": user.created_at,
        "version": user.version,
        "totp_secret": user.totp_secret,
        "totp_enrolled_at": user.totp_enrolled_at,
        "totp_last_step": user.totp_last_step,
    }


def user_from_row(row: Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        patient_id=row["patient_id"],
        password_hash=row["password_hash"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        version=row["version"],
        totp_secret=row["totp_secret"],
        totp_enrolled_at=row["totp_enrolled_at"],
        totp_last_step=row["totp_last_step"],
    )
