"""Scheduling: referrals, visits and their slots (the double-booking guard), rooms, working hours,
closures, visit needs, reminders, reminder preferences and calendar feeds.

Revision ID: 0015
Revises: 0009
Create Date: 2026-11-26

Written to match ``adapters/sql/tables/`` (referrals, appointments, calendars, visit_needs, reminders, calendar_feeds); the metadata-agreement test keeps them equal.
Only new tables: nothing existing changes. The visit needs of existing patients are planned by
``thecal visits plan`` (run once after the upgrade; ``docs/scheduling.md``), not here: planning
reads the drug library and the clinic's policy, which a migration should not depend on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "calendar_feeds",
    "reminder_preferences",
    "reminders",
    "visit_needs",
    "calendar_closures",
    "working_hours",
    "appointment_slots",
    "appointments",
    "rooms",
    "referrals",
)


def _id(length: int = 36) -> sa.Column[str]:
    return sa.Column("id", sa.String(length=length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "referrals",
        _id(),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=200), nullable=False),
        sa.Column("condition", sa.String(length=60), nullable=False),
        sa.Column("tried", sa.String(length=200), nullable=False),
        sa.Column("tried_details", sa.Text(), nullable=False),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=False),
        sa.Column("referrer_name", sa.String(length=100), nullable=False),
        sa.Column("referrer_practice", sa.String(length=200), nullable=False),
        sa.Column("referrer_contact", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_referrals_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index("ix_referrals_state_received_at", "referrals", ["state", "received_at"])
    op.create_index(
        "ix_referrals_client_key_received_at", "referrals", ["client_key", "received_at"]
    )
    op.create_table(
        "rooms",
        _id(64),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("name", name=op.f("uq_rooms_name")),
    )
    op.create_table(
        "appointments",
        _id(),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("visit_type", sa.String(length=30), nullable=False),
        sa.Column("purpose_kind", sa.String(length=20), nullable=False),
        sa.Column("purpose_ref", sa.String(length=64), nullable=True),
        sa.Column("time_point", sa.String(length=40), nullable=True),
        sa.Column("clinician_id", sa.String(length=36), nullable=False),
        sa.Column("room_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("clinician_ends_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("replaces", sa.String(length=36), nullable=True),
        sa.Column("replaced_by", sa.String(length=36), nullable=True),
        sa.Column("booked_by", sa.String(length=36), nullable=False),
        sa.Column("booked_at", UtcDateTime(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "starts_at < clinician_ends_at AND clinician_ends_at <= ends_at",
            name=op.f("ck_appointments_times"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_appointments_clinician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_appointments_room_id_rooms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_index(
        "ix_appointments_patient_id_starts_at", "appointments", ["patient_id", "starts_at"]
    )
    op.create_index(
        "ix_appointments_clinician_id_starts_at", "appointments", ["clinician_id", "starts_at"]
    )
    op.create_index(
        "ix_appointments_purpose_kind_purpose_ref", "appointments", ["purpose_kind", "purpose_ref"]
    )
    op.create_table(
        "appointment_slots",
        sa.Column("resource", sa.String(length=80), nullable=False),
        sa.Column("slot_at", UtcDateTime(), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_slots_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint("resource", "slot_at", name=op.f("pk_appointment_slots")),
    )
    op.create_index("ix_appointment_slots_appointment_id", "appointment_slots", ["appointment_id"])
    op.create_table(
        "working_hours",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.String(length=5), nullable=False),
        sa.Column("ends", sa.String(length=5), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_working_hours_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "weekday", "starts", name=op.f("pk_working_hours")),
    )
    op.create_table(
        "calendar_closures",
        _id(),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_closures_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_closures")),
    )
    op.create_index("ix_calendar_closures_ends_on", "calendar_closures", ["ends_on"])
    op.create_table(
        "visit_needs",
        _id(),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("visit_type", sa.String(length=30), nullable=False),
        sa.Column("purpose_kind", sa.String(length=20), nullable=False),
        sa.Column("purpose_ref", sa.String(length=64), nullable=True),
        sa.Column("time_point", sa.String(length=40), nullable=True),
        sa.Column("earliest", UtcDateTime(), nullable=False),
        sa.Column("target", UtcDateTime(), nullable=False),
        sa.Column("latest", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_visit_needs_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_needs")),
    )
    op.create_index("ix_visit_needs_state_latest", "visit_needs", ["state", "latest"])
    op.create_index("ix_visit_needs_patient_id", "visit_needs", ["patient_id"])
    op.create_table(
        "reminders",
        _id(),
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_reminders_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_reminders_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_state_due_at", "reminders", ["state", "due_at"])
    op.create_index("ix_reminders_appointment_id", "reminders", ["appointment_id"])
    op.create_table(
        "reminder_preferences",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_reminder_preferences_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_reminder_preferences")),
    )
    op.create_table(
        "calendar_feeds",
        _id(),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("digest", name=op.f("uq_calendar_feeds_digest")),
    )
    op.create_index("ix_calendar_feeds_user_id", "calendar_feeds", ["user_id"])


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
