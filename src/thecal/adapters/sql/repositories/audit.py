"""The audit log repository: appends to ``audit_entries`` and advances ``audit_chain_head``; no
update, no delete (SR-18).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import bindparam, insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.audit import audit_entry_from_row, audit_entry_to_row
from thecal.adapters.sql.tables.audit import audit_chain_head, audit_entries
from thecal.domain.audit import AuditEntry, ChainHead
from thecal.services.repositories.audit import AuditRepository

__all__ = [
    "SqlAlchemyAuditRepository",
]

_AUDIT_STREAM_BATCH = 1000


_HEAD = select(audit_chain_head.c.last_sequence, audit_chain_head.c.last_hash).where(
    audit_chain_head.c.id == 1
)


_HEAD_LOCKED = _HEAD.with_for_update()


_APPEND = insert(audit_entries)


_ADVANCE = (
    update(audit_chain_head)
    .where(
        audit_chain_head.c.id == 1,
        audit_chain_head.c.last_sequence == bindparam("expected_sequence"),
    )
    .values(last_sequence=bindparam("new_sequence"), last_hash=bindparam("new_hash"))
)


class SqlAlchemyAuditRepository(AuditRepository):
    """Appends to ``audit_entries`` and advances ``audit_chain_head``; nothing else.

    The three statements of an append (read the head, insert the entry, advance the head only
    from the sequence it was read at) are built once at import and bound per call.
    """

    def __init__(self, session: Executor) -> None:
        self._session = session

    def _head_row(self, *, lock: bool) -> ChainHead | None:
        row = self._session.execute(_HEAD_LOCKED if lock else _HEAD).one()
        return None if row.last_sequence == 0 else ChainHead(sequence=row[0], entry_hash=row[1])

    def head(self) -> ChainHead | None:
        return self._head_row(lock=True)

    def recorded_head(self) -> ChainHead | None:
        return self._head_row(lock=False)

    def append(self, entry: AuditEntry) -> None:
        self._session.execute(_APPEND, audit_entry_to_row(entry))
        advanced = self._session.execute(
            _ADVANCE,
            {
                "expected_sequence": entry.sequence - 1,
                "new_sequence": entry.sequence,
                "new_hash": entry.entry_hash,
            },
        )
        if advanced.rowcount != 1:  # type: ignore[attr-defined]
            msg = f"audit head did not advance to {entry.sequence}"
            raise RuntimeError(msg)

    def newest(self, *, before_sequence: int | None = None, limit: int = 50) -> list[AuditEntry]:
        statement = select(audit_entries)
        if before_sequence is not None:
            statement = statement.where(audit_entries.c.sequence < before_sequence)
        statement = statement.order_by(audit_entries.c.sequence.desc()).limit(limit)
        rows = self._session.execute(statement).mappings()
        return [audit_entry_from_row(row) for row in rows]

    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        last = after_sequence
        while True:
            batch = (
                self._session.execute(
                    select(audit_entries)
                    .where(audit_entries.c.sequence > last)
                    .order_by(audit_entries.c.sequence)
                    .limit(_AUDIT_STREAM_BATCH)
                )
                .mappings()
                .all()
            )
            for row in batch:
                yield audit_entry_from_row(row)
            if len(batch) < _AUDIT_STREAM_BATCH:
                return
            last = batch[-1]["sequence"]
