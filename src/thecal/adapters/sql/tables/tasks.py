"""The ``tasks`` table (revisions 0004, 0006): worklist tasks and how each was closed."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "tasks",
]

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("origin", String(36), nullable=False),
    Column("due", UtcDateTime, nullable=False),
    Column("not_before", UtcDateTime, nullable=True),
    Column("reason", Text, nullable=False),
    Column("source", String(200), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_by", String(36), nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("completed_how", String(32), nullable=True),  # domain/tasks.py TaskClosure
    Column("completion_note", Text, nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(state = 'open' AND completed_how IS NULL)"
        " OR (state = 'done' AND completed_how IS NOT NULL)",
        name="closure_matches_state",
    ),
    Index("ix_tasks_patient_id_due", "patient_id", "due"),
    Index("ix_tasks_state_due", "state", "due"),  # the worklist (revision 0005)
)
