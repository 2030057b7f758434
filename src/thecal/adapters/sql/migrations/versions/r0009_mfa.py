"""One-time-password enrolment on ``users``: the secret, when it was confirmed, the last step.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

All three columns are nullable: an account without a secret has not enrolled; a secret without
``totp_enrolled_at`` is an enrolment waiting for its first code. The secret is stored as is
(SR-19, ``docs/web.md``): protect the database.

The columns are added in place (``ALTER TABLE … ADD COLUMN``) on both databases. The rule "an
enrolment has its secret" is a CHECK constraint on PostgreSQL; SQLite cannot add one without
rebuilding the table, and rebuilding ``users`` (which sessions, tokens, tasks and records refer
to) fails on a populated database with foreign keys on, so there two triggers refuse the same
rows instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RULE = "totp_enrolled_at IS NULL OR totp_secret IS NOT NULL"
_CHECK = "ck_users_mfa_enrolment_has_secret"
_SQLITE_TRIGGERS = {
    "users_mfa_enrolment_has_secret_insert": "BEFORE INSERT ON users",
    "users_mfa_enrolment_has_secret_update": (
        "BEFORE UPDATE OF totp_secret, totp_enrolled_at ON users"
    ),
}


def upgrade() -> None:
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("totp_enrolled_at", UtcDateTime(), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f(_CHECK), "users", _RULE)
        return
    for name, when in _SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} FOR EACH ROW WHEN NOT ({_new(_RULE)}) "
            f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {_CHECK}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(_CHECK), "users", type_="check")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_column("users", "totp_last_step")
    op.drop_column("users", "totp_enrolled_at")
    op.drop_column("users", "totp_secret")


def _new(rule: str) -> str:
    """The rule over the row being written (``NEW.column``)."""
    for column in ("totp_enrolled_at", "totp_secret"):
        rule = rule.replace(column, f"NEW.{column}")
    return rule
