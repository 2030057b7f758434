"""What reached a pump and what it reported (revision 0004), all append-only.

``device_events`` and ``patient_bolus_log`` hold what interrogations reported;
``pump_device_commands`` every command that reached a pump, numbered per serial.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
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
    "device_events",
    "patient_bolus_log",
    "pump_device_commands",
]

device_events = Table(
    "device_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("code", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("priority", String(16), nullable=True),
    Column("interrogated_at", UtcDateTime, nullable=False),
    Index("ix_device_events_code_at", "code", "at"),  # the worklist (revision 0005)
)


patient_bolus_log = Table(
    "patient_bolus_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("uncertain", Boolean, nullable=False),
    Column("source", String(16), nullable=False),
)


# Every command that reached a pump, numbered per serial. For the twin this log IS the device's
# memory: the twin is rebuilt by deterministic replay (adapters/twin/store.py).
pump_device_commands = Table(
    "pump_device_commands",
    metadata,
    Column("serial", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload_json", Text, nullable=False),
    CheckConstraint("seq >= 1", name="seq_positive"),
)
