"""The ``appointments`` and ``appointment_slots`` tables (revision 0015).

``appointment_slots`` is the double-booking guard: one row per (resource, 15-minute slot) a booked
visit holds, primary key ``(resource, slot_at)``, so two visits can never hold the same clinician
(``clinician:<user id>``) or room (``room:<room id>``) in the same slot — on SQLite and on
PostgreSQL alike, whatever the concurrency (the loser's insert violates the key)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["appointment_slots", "appointments"]

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("visit_type", String(30), nullable=False),
    Column("purpose_kind", String(20), nullable=False),
    Column("purpose_ref", String(64), nullable=True),
    Column("time_point", String(40), nullable=True),
    Column("clinician_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("room_id", String(64), ForeignKey("rooms.id"), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("clinician_ends_at", UtcDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("reason", Text, nullable=True),
    Column("replaces", String(36), nullable=True),
    Column("replaced_by", String(36), nullable=True),
    Column("booked_by", String(36), nullable=False),
    Column("booked_at", UtcDateTime, nullable=False),
    Column("history", Text, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("starts_at < clinician_ends_at AND clinician_ends_at <= ends_at", name="times"),
    Index("ix_appointments_starts_at", "starts_at"),
    Index("ix_appointments_patient_id_starts_at", "patient_id", "starts_at"),
    Index("ix_appointments_clinician_id_starts_at", "clinician_id", "starts_at"),
    Index("ix_appointments_purpose_kind_purpose_ref", "purpose_kind", "purpose_ref"),
)


appointment_slots = Table(
    "appointment_slots",
    metadata,
    Column("resource", String(80), primary_key=True),
    Column("slot_at", UtcDateTime, primary_key=True),
    Column("appointment_id", String(36), ForeignKey("appointments.id"), nullable=False),
    Index("ix_appointment_slots_appointment_id", "appointment_id"),
)
