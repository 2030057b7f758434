"""The candidacy assessment and its child rows (contraindications, systemic medications)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
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
    "candidacy_assessments",
    "candidacy_contraindications",
    "candidacy_medications",
]

candidacy_assessments = Table(
    "candidacy_assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("assessed_at", UtcDateTime, nullable=False),
    Column("assessed_by", String(36), nullable=False),
    Column("indication", String(64), nullable=False),
    Column("indication_detail", Text, nullable=False, server_default=""),
    Column("mechanism", String(16), nullable=False),
    Column("breadth", String(16), nullable=False),
    Column("cancer_category", Integer, nullable=True),  # 1–3 (PACC 2017), NULL: non-cancer
    Column("life_expectancy_months", Integer, nullable=True),
    Column("conservative_therapy_months", Integer, nullable=False),
    Column("oral_medication_months", Integer, nullable=False),
    Column("psych_evaluation", String(16), nullable=False),
    Column("anticoagulation_plan", Text, nullable=False, server_default=""),
    Column("total_mme_mg_per_day", ExactDecimal, nullable=False),
    Column("mme_table_id", String(40), nullable=False),
    Column("notes", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "cancer_category IS NULL OR cancer_category BETWEEN 1 AND 3", name="cancer_category_range"
    ),
)


candidacy_contraindications = Table(
    "candidacy_contraindications",
    metadata,
    Column(
        "assessment_id",
        String(36),
        ForeignKey("candidacy_assessments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("code", String(40), primary_key=True),
)


candidacy_medications = Table(
    "candidacy_medications",
    metadata,
    Column(
        "assessment_id",
        String(36),
        ForeignKey("candidacy_assessments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("drug", String(100), nullable=False),
    Column("daily_dose_mcg_per_day", ExactDecimal, nullable=False),
    Column("opioid", Boolean, nullable=False),
    Column("mme_mg_per_day", ExactDecimal, nullable=True),  # NULL for non-opioids
)
