"""The events of a pump's life (issue 12 §3): replacement, catheter revision, explant, end of
therapy, interruption and restart, transfer of care.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

One new table, ``device_event_records`` (``tables/device_event_records.py``): each row is one
event on one pump, written once (its facts as canonical JSON with the units in the keys), with the
new pump of a replacement in ``related_pump_id`` and the program the event is about
(``program_json``: the one an interruption suspended, a restart or replacement started). No existing row is rewritten; ``pumps.state``
gains the value ``transferred`` (a String column: no schema change). Downgrading drops the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_event_records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("pump_id", sa.String(36), sa.ForeignKey("pumps.id"), nullable=False),
        sa.Column("related_pump_id", sa.String(36), sa.ForeignKey("pumps.id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("facts_json", sa.Text(), nullable=False),
        sa.Column("program_json", sa.Text(), nullable=True),
    )
    op.create_index("ix_device_event_records_patient_id", "device_event_records", ["patient_id"])
    op.create_index(
        "ix_device_event_records_pump_id_occurred_at",
        "device_event_records",
        ["pump_id", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_device_event_records_pump_id_occurred_at", "device_event_records")
    op.drop_index("ix_device_event_records_patient_id", "device_event_records")
    op.drop_table("device_event_records")
