"""The ``mri_plans`` table (revision 0005): the ``MriPlan`` aggregate (``domain/mri.py``)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "mri_plans",
]

mri_plans = Table(
    "mri_plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("pump_model_id", String(64), nullable=False),
    Column("pump_serial", String(64), nullable=False),
    Column("scan_at", UtcDateTime, nullable=False),
    Column("field_strength_t", ExactDecimal, nullable=False),
    Column("state", String(16), nullable=False),
    Column("emptied_volume_ml", ExactDecimal, nullable=True),
    Column("emptied_at", UtcDateTime, nullable=True),
    Column("scanned_at", UtcDateTime, nullable=True),
    Column("task_id", String(36), nullable=True),  # the stored post-MRI interrogation task
    Column("task_json", Text, nullable=True),
    Column("history_json", Text, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)
