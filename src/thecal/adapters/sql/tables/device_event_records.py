"""The ``device_event_records`` table (revision 0020): the clinic's record of each event in a
pump's life (``domain/device_event_record.py``), written once and never updated."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["device_event_records"]

device_event_records = Table(
    "device_event_records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False),
    Column("related_pump_id", String(36), ForeignKey("pumps.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(36), nullable=False),
    Column("summary", Text, nullable=False),
    Column("facts_json", Text, nullable=False),  # canonical JSON: units in the keys
    Column("program_json", Text, nullable=True),  # the program the event is about
    Index("ix_device_event_records_pump_id_occurred_at", "pump_id", "occurred_at"),
)
