"""One-time-password enrolment on ``users``: the secret, when it was confirmed, the last step.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

All three columns are nullable: an account without a secret has not enrolled; a secret without
``totp_enrolled_at`` is an enrolment waiting for its first code. The secret is stored as is
(SR-19, ``docs/web.md``): protect the database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.orm import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enrolled_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_users_mfa_enrolment_has_secret"),
            "totp_enrolled_at IS NULL OR totp_secret IS NOT NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_mfa_enrolment_has_secret"), type_="check")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enrolled_at")
        batch_op.drop_column("totp_secret")
