"""The ``assessments`` table (revision 0003): an instrument's answers and scores.

The scores a report needs are columns of their own (indexed with the procedure link), so the
outcome read model never parses JSON: pain 0–10, ODI percent, PGIC category 1–7, EQ VAS 0–100.
"""

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

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "assessments",
]

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("procedure_id", String(36), ForeignKey("procedures.id"), nullable=True),
    Column("instrument", String(16), nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("days_after_procedure", Integer, nullable=True),  # NULL: not linked
    Column("pain_nrs", ExactDecimal, nullable=True),  # 0–10
    Column("odi_percent", ExactDecimal, nullable=True),  # 0–100
    Column("pgic", Integer, nullable=True),  # 1 very much improved … 7 very much worse
    Column("eq_vas", Integer, nullable=True),  # 0–100
    Column("answers_json", Text, nullable=False),
    Column("scores_json", Text, nullable=False),
    Column("recorded_by", String(36), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint("pgic IS NULL OR pgic BETWEEN 1 AND 7", name="pgic_range"),
    CheckConstraint("eq_vas IS NULL OR eq_vas BETWEEN 0 AND 100", name="eq_vas_range"),
    CheckConstraint(
        "(procedure_id IS NULL) = (days_after_procedure IS NULL)", name="days_iff_linked"
    ),
    # covering index of the outcome read model: episode rows in (procedure, day, id) order, no
    # table lookups
    Index(
        "ix_assessments_outcome_report",
        "procedure_id",
        "days_after_procedure",
        "id",
        "pain_nrs",
        "odi_percent",
        "pgic",
        "eq_vas",
    ),
)
