"""The two statements every versioned repository shares: a versioned update and a one-row read.

``versioned_update`` writes with ``WHERE id = :id AND version = :expected`` and reports whether a
row matched, which is how a concurrent change is detected (the port raises ``StaleAggregate``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update

from thecal.adapters.sql.database import Executor

__all__ = [
    "one_row",
    "versioned_update",
]


def versioned_update(
    session: Executor, table: Table, ident: str, expected: int, values: dict[str, Any]
) -> bool:
    """Write ``values`` (without ``id``) to the row if its version is ``expected``; True if written."""
    values = {k: v for k, v in values.items() if k != "id"}
    result = session.execute(
        update(table).where(table.c.id == ident, table.c.version == expected).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def one_row(session: Executor, table: Table, *where: Any, lock: bool = False) -> Any:
    statement = select(table).where(*where)
    if lock:
        statement = statement.with_for_update()
    return session.execute(statement).mappings().one_or_none()
