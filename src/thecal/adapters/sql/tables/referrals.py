"""The ``referrals`` table (revision 0015): consultation requests from the public page and their triage."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["referrals"]

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("client_key", String(64), nullable=False),
    Column("state", String(30), nullable=False),
    Column("source", String(20), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("given_names", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("email", String(200), nullable=False),
    Column("phone", String(200), nullable=False),
    Column("condition", String(60), nullable=False),
    Column("tried", String(200), nullable=False),  # comma-separated TriedTreatment codes
    Column("tried_details", Text, nullable=False),
    Column("consent_to_contact", Boolean, nullable=False),
    Column("referrer_name", String(100), nullable=False),
    Column("referrer_practice", String(200), nullable=False),
    Column("referrer_contact", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("history", Text, nullable=False),  # JSON: the triage steps
    Column("version", Integer, nullable=False),
    Index("ix_referrals_state_received_at", "state", "received_at"),
    Index("ix_referrals_client_key_received_at", "client_key", "received_at"),
)
