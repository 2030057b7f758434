"""The ``users`` table: log-in accounts of every role (``domain/users.py``), with the
one-time-password enrolment (revision 0009).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "users",
]

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
