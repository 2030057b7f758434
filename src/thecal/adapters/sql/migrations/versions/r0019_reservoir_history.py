"""The record follows the pump (issue 18): a program's start beside its confirmation, the programs
sent and not yet settled, and the last interrogation's count beside the record's estimate.

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-05

Seven nullable columns on ``pumps`` (``tables/pumps.py``): ``program_effective_from`` (when the
pump started running the recorded program — its send; null on older rows: the confirmation time
``program_since`` stands in), ``fill_bolus_ml`` (the implant's priming bolus, delivered from the
reservoir right after the fill, S53; null: none), ``sent_programs_json`` (programs written since the last
interrogation, with their send time and outcome), and ``reading_at``, ``reading_pump_ml``,
``reading_record_ml``, ``reading_delivered_ml`` (the last interrogation's count and the record's
estimate just before it). No row is rewritten: a pump with no reading is anchored at its last fill,
as before. Downgrading drops the columns (the estimate falls back to the fill).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime

revision: str = "0019"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("program_effective_from", UtcDateTime),
    ("fill_bolus_ml", ExactDecimal),
    ("sent_programs_json", sa.Text),
    ("reading_at", UtcDateTime),
    ("reading_pump_ml", ExactDecimal),
    ("reading_record_ml", ExactDecimal),
    ("reading_delivered_ml", ExactDecimal),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("pumps", sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    # in place (SQLite ≥ 3.35), not a batch rebuild: rebuilding pumps drops the table, which
    # foreign keys refuse once it holds rows (r0005's note)
    for name, _ in reversed(_COLUMNS):
        op.drop_column("pumps", name)
