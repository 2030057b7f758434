"""The pump twin's saved states: ``pump_twin_snapshots`` (one row per pump, its latest state).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Written to match ``adapters/sql/tables/twin.py``; the metadata-agreement test keeps them equal. Existing
pumps have no snapshot: their twins are replayed from the ``implant`` command as before, and get
one with their next commands (``adapters/twin/store.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pump_twin_snapshots",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_pump_twin_snapshots_seq_positive")),
        sa.ForeignKeyConstraint(
            ["serial", "seq"],
            ["pump_device_commands.serial", "pump_device_commands.seq"],
            name=op.f("fk_pump_twin_snapshots_serial_seq_pump_device_commands"),
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_pump_twin_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("pump_twin_snapshots")
