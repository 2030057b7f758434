"""The audit log: append-only, hash-chained entries and the chain's head (SR-17, SR-18)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "audit_chain_head",
    "audit_entries",
]

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details_json", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
    Index("ix_audit_entries_subject", "subject"),
)


# One row (id = 1): the chain's head, locked while appending so appends are serialised, and
# the anchor that reveals entries removed from the end of the chain.
audit_chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_sequence", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
