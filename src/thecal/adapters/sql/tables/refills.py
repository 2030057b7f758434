"""The ``refills`` table (revision 0004): the ``Refill`` aggregate (``domain/refill/``)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "refills",
]

refills = Table(
    "refills",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("idempotency_key", String(100), nullable=False),
    Column("verification_id", String(36), ForeignKey("pharmacy_verifications.id"), nullable=True),
    Column("state", String(24), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("ordered_admixture_json", Text, nullable=False),
    Column("ordered_volume_ml", ExactDecimal, nullable=False),
    Column("last_fill_volume_ml", ExactDecimal, nullable=True),
    Column("expected_residual_ml", ExactDecimal, nullable=True),
    Column("measured_residual_ml", ExactDecimal, nullable=True),
    Column("discrepancy_ml", ExactDecimal, nullable=True),
    Column("threshold_ml", ExactDecimal, nullable=True),
    Column("band_pct", ExactDecimal, nullable=True),
    Column("verdict", String(40), nullable=True),
    Column("test_volume_ml", ExactDecimal, nullable=True),
    Column("reservoir_volume_ml", ExactDecimal, nullable=True),
    Column("next_refill_due", UtcDateTime, nullable=True),
    Column("refill_binding", String(40), nullable=True),
    Column("checklist_json", Text, nullable=True),
    Column("halt_reason", Text, nullable=True),
    Column("findings_json", Text, nullable=False),  # the safety review's refill findings
    Column("state_json", Text, nullable=False),  # label, verifier, tasks, history
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    UniqueConstraint("pump_id", "idempotency_key"),
    Index("ix_refills_pump_id_opened_at", "pump_id", "opened_at"),
)
