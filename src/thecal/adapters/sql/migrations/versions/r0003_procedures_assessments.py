"""Procedures and assessments: the records outcome reports and the FHIR export are made from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The report figures of an assessment (pain 0–10, ODI percent, PGIC category, EQ VAS) are columns of
their own, in a covering index behind the procedure link and the day after the procedure, so the
outcome read model streams them in episode order without parsing JSON or visiting the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("indication", sa.String(64), nullable=False),
        sa.Column("performer_id", sa.String(36), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("source_record_id", sa.String(36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_procedures_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_procedures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
    )
    op.create_index("ix_procedures_patient_id", "procedures", ["patient_id"])
    op.create_index("ix_procedures_kind_indication", "procedures", ["kind", "indication"])

    op.create_table(
        "assessments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("procedure_id", sa.String(36), nullable=True),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("days_after_procedure", sa.Integer(), nullable=True),
        sa.Column("pain_nrs", ExactDecimal(), nullable=True),
        sa.Column("odi_percent", ExactDecimal(), nullable=True),
        sa.Column("pgic", sa.Integer(), nullable=True),
        sa.Column("eq_vas", sa.Integer(), nullable=True),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("scores_json", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_assessments_version_positive")),
        sa.CheckConstraint(
            "pgic IS NULL OR pgic BETWEEN 1 AND 7", name=op.f("ck_assessments_pgic_range")
        ),
        sa.CheckConstraint(
            "eq_vas IS NULL OR eq_vas BETWEEN 0 AND 100", name=op.f("ck_assessments_eq_vas_range")
        ),
        sa.CheckConstraint(
            "(procedure_id IS NULL) = (days_after_procedure IS NULL)",
            name=op.f("ck_assessments_days_iff_linked"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_assessments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_assessments_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_patient_id", "assessments", ["patient_id"])
    op.create_index(
        "ix_assessments_outcome_report",
        "assessments",
        ["procedure_id", "days_after_procedure", "id", "pain_nrs", "odi_percent", "pgic", "eq_vas"],
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_outcome_report", table_name="assessments")
    op.drop_index("ix_assessments_patient_id", table_name="assessments")
    op.drop_table("assessments")
    op.drop_index("ix_procedures_kind_indication", table_name="procedures")
    op.drop_index("ix_procedures_patient_id", table_name="procedures")
    op.drop_table("procedures")
