"""Tables of the scheduling aggregates (revision ``0015``): referrals, visits and their slots,
rooms, working hours, closures, visit needs, reminders, reminder preferences, calendar feeds.

``appointment_slots`` is the double-booking guard: one row per (resource, 15-minute slot) a booked
visit holds, primary key ``(resource, slot_at)``, so two visits can never hold the same clinician
(``clinician:<user id>``) or room (``room:<room id>``) in the same slot — on SQLite and on
PostgreSQL alike, whatever the concurrency (the loser's insert violates the key).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.orm import UtcDateTime, metadata

__all__ = [
    "SCHEDULING_TABLES",
    "appointment_slots",
    "appointments",
    "calendar_closures",
    "calendar_feeds",
    "referrals",
    "reminder_preferences",
    "reminders",
    "rooms",
    "visit_needs",
    "working_hours",
]

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

rooms = Table(
    "rooms",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("location", String(20), nullable=False),
)

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

working_hours = Table(
    "working_hours",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("weekday", Integer, primary_key=True),
    Column("starts", String(5), primary_key=True),  # "HH:MM", the clinic's local time
    Column("ends", String(5), nullable=False),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
)

calendar_closures = Table(
    "calendar_closures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=True),  # None: the clinic
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    Index("ix_calendar_closures_ends_on", "ends_on"),
)

visit_needs = Table(
    "visit_needs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("visit_type", String(30), nullable=False),
    Column("purpose_kind", String(20), nullable=False),
    Column("purpose_ref", String(64), nullable=True),
    Column("time_point", String(40), nullable=True),
    Column("earliest", UtcDateTime, nullable=False),
    Column("target", UtcDateTime, nullable=False),
    Column("latest", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("appointment_id", String(36), nullable=True),
    Index("ix_visit_needs_state_latest", "state", "latest"),
    Index("ix_visit_needs_patient_id", "patient_id"),
)

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

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_calendar_feeds_user_id", "user_id"),
)

SCHEDULING_TABLES = (
    referrals,
    rooms,
    appointments,
    appointment_slots,
    working_hours,
    calendar_closures,
    visit_needs,
    reminders,
    reminder_preferences,
    calendar_feeds,
)
