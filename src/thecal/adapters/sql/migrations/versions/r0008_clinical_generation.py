"""The clinical generation counter: ``clinical_generation`` (one row, starting at 0).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Every transaction that writes a clinical table bumps it in the same transaction, and so does a
change of the clinic clock's offset; the worklist cache is keyed by it (``adapters/sql/tables/clinical_generation.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinical_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinical_generation_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_generation")),
    )
    op.execute(sa.text("INSERT INTO clinical_generation (id, value) VALUES (1, 0)"))


def downgrade() -> None:
    op.drop_table("clinical_generation")
