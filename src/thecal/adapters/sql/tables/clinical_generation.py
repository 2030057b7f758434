"""The ``clinical_generation`` table (revision 0008): one row, a counter every transaction that
wrote a clinical table bumps in the same transaction (``adapters/sql/clinical_generation.py``), as
does a change of the clinic clock's offset. The worklist cache is keyed by it
(``adapters/read_models/worklist.py``), so a write from any process invalidates it.
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
    "clinical_generation",
]

clinical_generation = Table(
    "clinical_generation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
