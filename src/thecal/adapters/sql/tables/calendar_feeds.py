"""The ``calendar_feeds`` table (revision 0015): a clinician's secret feed URL, by its digest."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["calendar_feeds"]

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
