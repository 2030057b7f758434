"""What a clinic's database holds: schema revision, rows per table, the audit chain's head.

Taken inside one transaction (one snapshot), so the figures agree with each other and — for a
PostgreSQL backup — with the dump taken in the same snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select, table

from thecal.adapters.sql.tables.audit import audit_chain_head

__all__ = ["Survey", "survey"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Survey:
    revision: str | None
    tables: dict[str, int]  # table name → rows
    audit_sequence: int | None  # the recorded head (None: no audit entries)
    audit_hash: str | None


def survey(connection: Connection) -> Survey:
    """The survey of the database ``connection`` is on, in its current transaction."""
    names = sorted(inspect(connection).get_table_names())
    tables = {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }
    head = None
    if audit_chain_head.name in tables:
        head = connection.execute(
            select(audit_chain_head.c.last_sequence, audit_chain_head.c.last_hash)
        ).first()
    return Survey(
        revision=MigrationContext.configure(connection).get_current_revision(),
        tables=tables,
        audit_sequence=None if head is None else int(head[0]),
        audit_hash=None if head is None else str(head[1]),
    )
