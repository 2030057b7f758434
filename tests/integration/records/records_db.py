"""Helpers for the records integration tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import uuid

from thecal.bootstrap import Thecal
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Role, User

AUDIT_KEY = "integration-test-audit-key-0123456789abcdef"
NOW = dt.datetime(2025, 7, 1, 10, 0, tzinfo=dt.UTC)


class FixedClock:
    def now(self) -> dt.datetime:
        return NOW


def seed_user(app: Thecal, *, username: str, role: Role, patient_id: str | None = None) -> User:
    """Create a user directly through the repository (the `users create` command is elsewhere)."""
    user = User(
        id=str(uuid.uuid4()),
        username=username,
        role=role,
        display_name=username.title(),
        created_at=NOW,
        patient_id=patient_id,
    )
    with app.uow() as uow:
        uow.users.add(user)
        uow.audit.record(
            actor=user.as_actor(),
            action=Action.USER_MANAGE,
            subject=Subject(kind="user", ident=user.id),
            at=NOW,
            details={"created": username},
        )
        uow.commit()
    return user
