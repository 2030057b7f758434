"""The ``procedures`` table (revision 0003): the procedure records outcome reports are made from."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "procedures",
]

# Procedures and assessments (revision 0003): the records outcome reports are made from. The
# scores a report needs are columns of their own (indexed with the procedure link), so the outcome
# read model never parses JSON: pain 0–10, ODI percent, PGIC category 1–7, EQ VAS 0–100.
procedures = Table(
    "procedures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("performed_on", Date, nullable=False),
    Column("indication", String(64), nullable=False),
    Column("performer_id", String(36), nullable=False),
    Column("recorded_by", String(36), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("source_record_id", String(36), nullable=True),  # a trial, implant or refill id
    Column("notes", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_procedures_kind_indication", "kind", "indication"),
)
