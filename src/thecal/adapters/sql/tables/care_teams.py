"""The care-team tables (revision 0021, SR-21): teams, their clinicians, their patients (one team
per patient) and the break-glass accesses."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, PrimaryKeyConstraint, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["break_glass_accesses", "care_team_members", "care_team_patients", "care_teams"]

care_teams = Table(
    "care_teams",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

care_team_members = Table(
    "care_team_members",
    metadata,
    Column("team_id", String(36), ForeignKey("care_teams.id"), nullable=False),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False),
    PrimaryKeyConstraint("team_id", "user_id"),
    Index("ix_care_team_members_user_id", "user_id"),
)

care_team_patients = Table(
    "care_team_patients",
    metadata,
    Column("patient_id", String(36), ForeignKey("patients.id"), primary_key=True),
    Column("team_id", String(36), ForeignKey("care_teams.id"), nullable=False),
    Index("ix_care_team_patients_team_id", "team_id"),
)

break_glass_accesses = Table(
    "break_glass_accesses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_break_glass_accesses_user_expires", "user_id", "expires_at"),
)
