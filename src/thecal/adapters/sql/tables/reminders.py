"""The ``reminders`` and ``reminder_preferences`` tables (revision 0015)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["reminder_preferences", "reminders"]

reminders = Table(
    "reminders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("appointment_id", String(36), ForeignKey("appointments.id"), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_reminders_state_due_at", "state", "due_at"),
    Index("ix_reminders_appointment_id", "appointment_id"),
)


reminder_preferences = Table(
    "reminder_preferences",
    metadata,
    Column("patient_id", String(36), ForeignKey("patients.id"), primary_key=True),
    Column("email", Boolean, nullable=False),
    Column("detail", String(20), nullable=False),
    Column("version", Integer, nullable=False),
)
