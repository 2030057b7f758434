"""The ``implants`` table (revision 0004): the implant procedure record, written once."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "implants",
]

implants = Table(
    "implants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False),
    Column("performed_at", UtcDateTime, nullable=False),
    Column("surgeon_id", String(36), nullable=False),
    Column("pump_model_id", String(64), nullable=False),
    Column("pump_serial", String(64), nullable=False),
    Column("catheter_model_id", String(64), nullable=False),
    Column("catheter_length_cm", ExactDecimal, nullable=False),
    Column("catheter_tip_level", String(8), nullable=False),
    Column("initial_fill_json", Text, nullable=False),
    Column("fill_volume_ml", ExactDecimal, nullable=False),
    Column("catheter_dead_space_ml", ExactDecimal, nullable=False),
    Column("pump_internal_volume_ml", ExactDecimal, nullable=False),
    Column("priming_volume_ml", ExactDecimal, nullable=False),
    Column("initial_program_json", Text, nullable=False),
    Column("monitoring_task_json", Text, nullable=False),
)
