"""Voided pharmacy verifications (issue 12 §3: a pump that leaves care).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

Three nullable columns on ``pharmacy_verifications`` (``tables/pharmacy.py``): ``voided_reason``,
``voided_at`` and ``voided_by``. When a pump is explanted, replaced or transferred out, its
unused verifications are voided with the event's reason, so no refill can use them (not even after
a transfer back in). Existing rows stay valid (NULL). Downgrading drops the columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_TABLE = "pharmacy_verifications"


def upgrade() -> None:
    op.add_column(_TABLE, sa.Column("voided_reason", sa.Text(), nullable=True))
    op.add_column(_TABLE, sa.Column("voided_at", UtcDateTime(), nullable=True))
    op.add_column(_TABLE, sa.Column("voided_by", sa.String(36), nullable=True))


def downgrade() -> None:
    # in place (SQLite >= 3.35), not a batch rebuild (r0019's note)
    for name in ("voided_by", "voided_at", "voided_reason"):
        op.drop_column(_TABLE, name)
