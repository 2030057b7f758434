"""The clinic's calendars (revision 0015): ``rooms``, ``working_hours`` (the clinic's local time,
``HH:MM``) and ``calendar_closures`` (the clinic, or one clinician's leave)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table

from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["calendar_closures", "rooms", "working_hours"]

rooms = Table(
    "rooms",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("location", String(20), nullable=False),
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
