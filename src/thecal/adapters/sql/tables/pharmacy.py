"""The ``pharmacy_verifications`` table (revision 0004; voiding, 0022): a verified dispensed
admixture (SR-08)."""

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
    "pharmacy_verifications",
]

pharmacy_verifications = Table(
    "pharmacy_verifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("admixture_json", Text, nullable=False),
    Column("primary_drug_id", String(64), nullable=False),
    Column("primary_concentration_mcg_per_ml", ExactDecimal, nullable=False),
    Column("volume_ml", ExactDecimal, nullable=False),
    Column("lot", String(64), nullable=False),
    Column("beyond_use_at", UtcDateTime, nullable=False),
    Column("verified_by", String(36), nullable=False),
    Column("verified_at", UtcDateTime, nullable=False),
    Column("used_by_refill_id", String(36), nullable=True, unique=True),
    # revision 0022: voided when its pump left care (explant, replacement, transfer out)
    Column("voided_reason", Text, nullable=True),
    Column("voided_at", UtcDateTime, nullable=True),
    Column("voided_by", String(36), nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)
