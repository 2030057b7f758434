"""The ``visit_needs`` table (revision 0015): the visits a patient's facts ask for, re-planned with
them; the worklist's ``visit-to-book`` rows read ``(state, latest)``."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["visit_needs"]

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
