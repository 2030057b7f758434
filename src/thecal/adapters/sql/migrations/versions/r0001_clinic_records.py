"""Clinic records: patients, users, candidacy assessments, and the append-only audit chain.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

The audit table refuses UPDATE and DELETE at the database level (SR-18): a PL/pgSQL trigger on
PostgreSQL (also refusing TRUNCATE), ``RAISE(ABORT)`` triggers on SQLite. The trigger DDL is
static text; no value is ever interpolated into it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64

_PG_UP = (
    """
    CREATE FUNCTION thecal_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION thecal_audit_append_only()
    """,
    """
    CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION thecal_audit_append_only()
    """,
)
_PG_DOWN = (
    "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
    "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
    "DROP FUNCTION IF EXISTS thecal_audit_append_only()",
)
_SQLITE_UP = (
    """
    CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END
    """,
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    "DROP TRIGGER IF EXISTS audit_entries_no_update",
)


def _version_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("version >= 1", name=op.f(f"ck_{table}_version_positive"))


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("mrn", sa.String(40), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("family_name_folded", sa.String(100), nullable=False),
        sa.Column("given_names", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("address", sa.String(400), nullable=False, server_default=""),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _version_check("patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    op.create_index("ix_patients_family_name_folded", "patients", ["family_name_folded"])
    op.create_index("ix_patients_birth_date", "patients", ["birth_date"])

    op.create_table(
        "users",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=True),
        sa.Column("password_hash", sa.String(400), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _version_check("users"),
        sa.CheckConstraint(
            "(role = 'patient') = (patient_id IS NOT NULL)",
            name=op.f("ck_users_patient_link_matches_role"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_users_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )

    op.create_table(
        "candidacy_assessments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=False),
        sa.Column("assessed_at", UtcDateTime(), nullable=False),
        sa.Column("assessed_by", sa.String(36), nullable=False),
        sa.Column("indication", sa.String(64), nullable=False),
        sa.Column("indication_detail", sa.Text(), nullable=False, server_default=""),
        sa.Column("mechanism", sa.String(16), nullable=False),
        sa.Column("breadth", sa.String(16), nullable=False),
        sa.Column("cancer_category", sa.Integer(), nullable=True),
        sa.Column("life_expectancy_months", sa.Integer(), nullable=True),
        sa.Column("conservative_therapy_months", sa.Integer(), nullable=False),
        sa.Column("oral_medication_months", sa.Integer(), nullable=False),
        sa.Column("psych_evaluation", sa.String(16), nullable=False),
        sa.Column("anticoagulation_plan", sa.Text(), nullable=False, server_default=""),
        sa.Column("total_mme_mg_per_day", ExactDecimal(), nullable=False),
        sa.Column("mme_table_id", sa.String(40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        _version_check("candidacy_assessments"),
        sa.CheckConstraint(
            "cancer_category IS NULL OR cancer_category BETWEEN 1 AND 3",
            name=op.f("ck_candidacy_assessments_cancer_category_range"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_candidacy_assessments_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidacy_assessments")),
    )
    op.create_index("ix_candidacy_assessments_patient_id", "candidacy_assessments", ["patient_id"])

    op.create_table(
        "candidacy_contraindications",
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["candidacy_assessments.id"],
            name=op.f("fk_candidacy_contraindications_assessment_id_candidacy_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "assessment_id", "code", name=op.f("pk_candidacy_contraindications")
        ),
    )
    op.create_table(
        "candidacy_medications",
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(100), nullable=False),
        sa.Column("daily_dose_mcg_per_day", ExactDecimal(), nullable=False),
        sa.Column("opioid", sa.Boolean(), nullable=False),
        sa.Column("mme_mg_per_day", ExactDecimal(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["candidacy_assessments.id"],
            name=op.f("fk_candidacy_medications_assessment_id_candidacy_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_candidacy_medications")),
    )

    op.create_table(
        "audit_entries",
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_entries_entry_hash")),
    )
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject"])

    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.bulk_insert(head, [{"id": 1, "last_sequence": 0, "last_hash": GENESIS_HASH}])

    dialect = op.get_bind().dialect.name
    for statement in _PG_UP if dialect == "postgresql" else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG_DOWN if dialect == "postgresql" else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("audit_chain_head")
    op.drop_index("ix_audit_entries_subject", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("candidacy_medications")
    op.drop_table("candidacy_contraindications")
    op.drop_index("ix_candidacy_assessments_patient_id", table_name="candidacy_assessments")
    op.drop_table("candidacy_assessments")
    op.drop_table("users")
    op.drop_index("ix_patients_birth_date", table_name="patients")
    op.drop_index("ix_patients_family_name_folded", table_name="patients")
    op.drop_table("patients")
