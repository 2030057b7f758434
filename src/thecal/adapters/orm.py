"""SQLAlchemy Core tables: the database shape, and nothing else.

Column names carry their unit at this boundary (``daily_dose_mcg_per_day``); exact numbers use
:class:`ExactDecimal` (NUMERIC on PostgreSQL, canonical text on SQLite), never floats. Every
aggregate table has a ``version`` column for optimistic locking. Domain objects are never mapped
onto these tables; ``adapters/mappers.py`` converts rows explicitly.

Adding an aggregate: declare its tables here, write its row ↔ domain functions in
``mappers.py``, its repository in ``repository.py``, and a new Alembic revision under
``adapters/migrations/versions/``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

__all__ = [
    "AUDIT_TABLES",
    "ExactDecimal",
    "UtcDateTime",
    "api_tokens",
    "assessments",
    "audit_chain_head",
    "audit_entries",
    "auth_sessions",
    "candidacy_assessments",
    "candidacy_contraindications",
    "candidacy_medications",
    "login_failures",
    "metadata",
    "patients",
    "procedures",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC on PostgreSQL, the canonical decimal text on SQLite."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.NUMERIC())
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            msg = f"ExactDecimal takes a finite Decimal, not {value!r}"
            raise TypeError(msg)
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:  # noqa: ARG002
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(value)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant: refuses naive values; SQLite's naive text is read as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.utcoffset() is None:
            msg = "UtcDateTime refuses a naive datetime"
            raise ValueError(msg)
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


patients = Table(
    "patients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("mrn", String(40), nullable=False, unique=True),
    Column("family_name", String(100), nullable=False),
    Column("family_name_folded", String(100), nullable=False),  # lower-case, for prefix search
    Column("given_names", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(16), nullable=False),
    Column("phone", String(40), nullable=False, server_default=""),
    Column("email", String(200), nullable=False, server_default=""),
    Column("address", String(400), nullable=False, server_default=""),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_patients_family_name_folded", "family_name_folded"),
    Index("ix_patients_birth_date", "birth_date"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=True),
    Column("password_hash", String(400), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    # the one-time-password enrolment (revision 0009): stored as is; protect the database
    Column("totp_secret", String(64), nullable=True),
    Column("totp_enrolled_at", UtcDateTime, nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(role = 'patient') = (patient_id IS NOT NULL)", name="patient_link_matches_role"
    ),
    CheckConstraint(
        "totp_enrolled_at IS NULL OR totp_secret IS NOT NULL", name="mfa_enrolment_has_secret"
    ),
)

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

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details_json", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
    # the key that signed the entry (revision 0013; entries before it were signed with 'k1')
    Column("key_id", String(32), nullable=False, server_default="k1"),
    Index("ix_audit_entries_subject", "subject"),
)

# One row (id = 1): the chain's head, locked while appending so appends are serialised, and
# the anchor that reveals entries removed from the end of the chain.
audit_chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_sequence", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("last_key_id", String(32), nullable=False, server_default="k1"),  # revision 0013
    CheckConstraint("id = 1", name="single_row"),
)

AUDIT_TABLES = ("audit_entries",)

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

# ----------------------------------------------------------------------------- identity (0002)
# Sessions and API tokens are stored by the SHA-256 digest of their random token, never the token.

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie token
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("end_reason", String(32), nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_login_failures_username_occurred_at", "username", "occurred_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# The clinical pathway's tables (revision 0004) live in their own module on this metadata; the
# import sits here so that importing ``orm`` always yields the complete metadata.
from thecal.adapters import orm_pathway as _orm_pathway  # noqa: E402, F401

# Trials and MRI plans (revision 0005); the worklist's columns on the pathway tables are added
# at the end of orm_pathway (adapters/orm_worklist.py).
from thecal.adapters import orm_plans as _orm_plans  # noqa: E402, F401

# The pump twin's saved states, kept with its command log (revision 0007).
from thecal.adapters import orm_twin as _orm_twin  # noqa: E402, F401
