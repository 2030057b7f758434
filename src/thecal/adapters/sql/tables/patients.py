"""The ``patients`` table (the ``Patient`` aggregate, ``domain/patient.py``)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "patients",
]

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
