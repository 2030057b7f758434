"""The audit log in SQL: append, stream, and look at the store around the chain (SR-17, SR-18).

:class:`SqlAlchemyAuditRepository` appends to ``audit_entries`` and advances ``audit_chain_head``;
nothing else. The three statements of an append (read the head, insert the entry, advance the
head only from the sequence it was read at) are built once at import and bound per call.

Reading never trusts the rows: ``occurred_at`` is read as stored (text on SQLite) and parsed by
the mapper, so a row no entry can have is named (``AuditEntryUnreadable``) instead of crashing the
walk; a missing head row is :class:`AuditHeadMissing`, never ``NoResultFound``. :meth:`inspect` looks at
the schema: the two tables, and the append-only triggers of revision 0001 (present, enabled, and
still refusing), without failing on anything that is gone.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import (
    ColumnElement,
    String,
    bindparam,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.audit import audit_entry_from_columns, audit_entry_to_row
from thecal.adapters.sql.tables.audit import audit_chain_head, audit_entries
from thecal.domain.audit import AuditEntry, AuditHeadMissing, ChainHead
from thecal.services.repositories.audit import AuditQuery, AuditRepository, AuditStoreShape

__all__ = [
    "AUDIT_GUARDS",
    "SqlAlchemyAuditRepository",
]


#: The append-only triggers revision 0001 creates, per dialect: name → what its text must say.
AUDIT_GUARDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sqlite": {
        "audit_entries_no_update": ("BEFORE UPDATE ON AUDIT_ENTRIES", "RAISE(ABORT"),
        "audit_entries_no_delete": ("BEFORE DELETE ON AUDIT_ENTRIES", "RAISE(ABORT"),
    },
    "postgresql": {
        "audit_entries_append_only": ("27",),  # tgtype: ROW | BEFORE | DELETE | UPDATE
        "audit_entries_no_truncate": ("34",),  # tgtype: BEFORE | TRUNCATE (per statement)
    },
}

_COLUMNS = (
    audit_entries.c.sequence,
    type_coerce(audit_entries.c.occurred_at, String).label("occurred_at"),  # parsed here
    audit_entries.c.actor,
    audit_entries.c.action,
    audit_entries.c.subject,
    audit_entries.c.details_json,
    audit_entries.c.previous_hash,
    audit_entries.c.entry_hash,
    audit_entries.c.key_id,
)
_HEAD = select(
    audit_chain_head.c.last_sequence, audit_chain_head.c.last_hash, audit_chain_head.c.last_key_id
).where(audit_chain_head.c.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_APPEND = insert(audit_entries)
_ADVANCE = (
    update(audit_chain_head)
    .where(
        audit_chain_head.c.id == 1,
        audit_chain_head.c.last_sequence == bindparam("expected_sequence"),
    )
    .values(
        last_sequence=bindparam("new_sequence"),
        last_hash=bindparam("new_hash"),
        last_key_id=bindparam("new_key_id"),
    )
)
_HASH_AT = select(audit_entries.c.entry_hash).where(
    audit_entries.c.sequence == bindparam("sequence")
)
_STREAM = (
    select(*_COLUMNS)
    .where(audit_entries.c.sequence > bindparam("after"))
    .order_by(audit_entries.c.sequence)
    .limit(bindparam("batch"))
)


class SqlAlchemyAuditRepository(AuditRepository):
    """Appends to ``audit_entries`` and advances ``audit_chain_head``; reads them back."""

    stream_batch = 1000  # entries per query while streaming the chain

    def __init__(self, session: Executor) -> None:
        self._session = session

    def _head_row(self, *, lock: bool) -> ChainHead | None:
        row = self._session.execute(_HEAD_LOCKED if lock else _HEAD).first()
        if row is None:
            raise AuditHeadMissing
        if row[0] == 0:
            return None
        return ChainHead(sequence=row[0], entry_hash=row[1], key_id=row[2])

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
                "new_key_id": entry.key_id,
            },
        )
        if advanced.rowcount != 1:  # type: ignore[attr-defined]
            msg = f"audit head did not advance to {entry.sequence}"
            raise RuntimeError(msg)

    def newest(
        self,
        *,
        before_sequence: int | None = None,
        limit: int = 50,
        query: AuditQuery | None = None,
    ) -> list[AuditEntry]:
        statement = select(*_COLUMNS)
        if before_sequence is not None:
            statement = statement.where(audit_entries.c.sequence < before_sequence)
        if query is not None:
            statement = statement.where(*_conditions(query))
        statement = statement.order_by(audit_entries.c.sequence.desc()).limit(limit)
        return [audit_entry_from_columns(row) for row in self._session.execute(statement)]

    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        last = after_sequence
        while True:
            batch = self._session.execute(
                _STREAM, {"after": last, "batch": self.stream_batch}
            ).all()
            for row in batch:
                yield audit_entry_from_columns(row)
            if len(batch) < self.stream_batch:
                return
            last = batch[-1][0]

    def hash_at(self, sequence: int) -> str | None:
        found = self._session.execute(_HASH_AT, {"sequence": sequence}).first()
        return None if found is None else str(found[0])

    def inspect(self) -> AuditStoreShape:
        dialect = self._dialect()
        tables = self._tables_present(dialect)
        missing = tuple(t for t in ("audit_entries", "audit_chain_head") if t not in tables)
        guards = self._guards_missing(dialect) if "audit_entries" in tables else ()
        if "audit_chain_head" in missing:
            return AuditStoreShape(tables_missing=missing, guards_missing=guards)
        row = self._session.execute(_HEAD).first()
        head = (
            None
            if row is None or row[0] == 0
            else ChainHead(sequence=row[0], entry_hash=row[1], key_id=row[2])
        )
        return AuditStoreShape(
            tables_missing=missing, guards_missing=guards, head_present=row is not None, head=head
        )

    def _dialect(self) -> str:
        bind = self._session.get_bind() if hasattr(self._session, "get_bind") else self._session
        return str(bind.dialect.name)

    def _tables_present(self, dialect: str) -> set[str]:
        if dialect == "sqlite":
            rows = self._session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'audit_%'")
            )
            return {str(r[0]) for r in rows}
        found = self._session.execute(
            text("SELECT to_regclass('audit_entries'), to_regclass('audit_chain_head')")
        ).one()
        return {
            name
            for name, oid in zip(("audit_entries", "audit_chain_head"), found, strict=True)
            if oid
        }

    def _guards_missing(self, dialect: str) -> tuple[str, ...]:
        expected = AUDIT_GUARDS.get(dialect, {})
        if dialect == "sqlite":
            rows = self._session.execute(
                text(
                    "SELECT name, upper(sql) FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = 'audit_entries'"
                )
            )
            found = {str(name): (str(sql), True) for name, sql in rows}
        else:
            rows = self._session.execute(
                text(
                    "SELECT t.tgname, t.tgtype::text || ' ' || upper(p.prosrc), t.tgenabled "
                    "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                    "WHERE t.tgrelid = to_regclass('audit_entries') AND NOT t.tgisinternal"
                )
            )
            found = {str(name): (str(body), enabled != "D") for name, body, enabled in rows}
        problems = (
            _guard_problem(name, found.get(name), needles) for name, needles in expected.items()
        )
        return tuple(problem for problem in problems if problem)


def _guard_problem(name: str, found: tuple[str, bool] | None, needles: tuple[str, ...]) -> str:
    """'' when the trigger is in place; otherwise what is wrong with it."""
    if found is None:
        return f"append-only trigger {name} on audit_entries is missing (dropped)"
    body, enabled = found
    if not enabled:
        return f"append-only trigger {name} on audit_entries is disabled"
    words = body.split(" ", 1)
    postgres = needles[0].isdigit()
    if postgres and (words[0] != needles[0] or "RAISE EXCEPTION" not in body):
        return f"append-only trigger {name} on audit_entries was changed (it no longer refuses)"
    if not postgres and not all(needle in " ".join(body.split()) for needle in needles):
        return f"append-only trigger {name} on audit_entries was changed (it no longer refuses)"
    return ""


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    """``query`` in SQL (AuditQuery.admits says the same in Python)."""
    columns = audit_entries.c
    found: list[ColumnElement[bool]] = []
    if query.actor is not None:
        found.append(columns.actor == query.actor)
    if query.subject is not None:
        found.append(columns.subject == query.subject)
    if query.action is not None:
        if query.action.endswith("."):
            found.append(columns.action.startswith(query.action, autoescape=True))
        else:
            found.append(columns.action == query.action)
    if query.since is not None:
        found.append(columns.occurred_at >= query.since)
    if query.until is not None:
        found.append(columns.occurred_at < query.until)
    return found
