"""The pump twin's saved states (revision ``0007``), kept with the command log they summarise.

A row is one pump's latest twin state as of its command ``seq`` (``adapters/twin/store.py``
writes one every few commands, in the same transaction as those commands): rebuilding the twin
restores it and replays only the commands after it, instead of the whole log. The composite
foreign key ties it to the command it follows, so a snapshot never names a command the log does
not hold. The log stays the source of truth: a snapshot that cannot be read, or that does not
fit the log, is ignored and the twin is replayed from the ``implant`` command.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Integer, String, Table, Text

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = ["pump_twin_snapshots"]

pump_twin_snapshots = Table(
    "pump_twin_snapshots",
    metadata,
    Column("serial", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("state_json", Text, nullable=False),
    CheckConstraint("seq >= 1", name="seq_positive"),
    ForeignKeyConstraint(
        ["serial", "seq"], ["pump_device_commands.serial", "pump_device_commands.seq"]
    ),
)
