"""The ``clinic_clock`` table (revision 0004): one row, the demo clinic clock's offset
(``adapters/sql/clinic_clock.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Integer,
    Table,
)

from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "clinic_clock",
]

# One row (id = 1): the demo clinic clock's offset from system time, in microseconds.
clinic_clock = Table(
    "clinic_clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("offset_us", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
