"""Fresh test databases at the head revision: one real Alembic upgrade per dialect, then its SQL replayed.

Most tests build a database of their own (a SQLite file, or a PostgreSQL schema), and each needs
the whole migration chain. Running Alembic costs about 0.4 s of CPU per database (it loads every
migration script again and builds the tables operation by operation), over 3,000 databases a run:
the largest single cost of the suite. Here the first upgrade of each dialect in a test process
runs Alembic for real, on the fresh database it was given, and records every statement Alembic
sends to the driver (SQLAlchemy's ``before_cursor_execute``, with the parameters and the call style
exactly as sent); each later fresh database gets the same statements, sent the same way on the
driver's cursor, in one transaction.

The migrations themselves are still run by Alembic wherever they are the subject: the migration
walk (tests/integration/migrations), the schema tests (tests/integration/records/test_records_schema.py),
``thecal db upgrade`` and the demo seed. tests/integration/migrations/test_migrated_schema.py checks
that a replayed database has the same tables, columns, indexes, constraints and triggers as one
Alembic built, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, ExecutionContext

from thecal.adapters.sql.database import current_revision, upgrade_database

__all__ = ["migrate", "recorded"]


@dataclass(frozen=True, slots=True)
class _Sent:
    """One statement as SQLAlchemy sent it to the driver."""

    statement: str
    parameters: Any
    many: bool
    bare: bool  # sent without a parameters argument (``cursor.execute(statement)``)


@dataclass(frozen=True, slots=True)
class _Recording:
    statements: tuple[_Sent, ...]
    revision: str


_recordings: dict[str, _Recording] = {}


def _transaction_control(statement: str) -> bool:
    """BEGIN as the engine's own ``begin`` listener sends it (SQLite's ``BEGIN IMMEDIATE``)."""
    return statement.strip().upper() in {"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED"}


def _record(engine: Engine) -> _Recording:
    sent: list[_Sent] = []

    def listen(
        _connection: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> None:
        if _transaction_control(statement):
            return
        bare = bool(getattr(context, "no_parameters", False)) and not parameters
        sent.append(_Sent(statement, parameters, executemany, bare))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        upgrade_database(engine)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    revision = current_revision(engine)
    if revision is None:  # pragma: no cover - Alembic always leaves a version behind
        msg = "the recorded upgrade left no Alembic revision"
        raise AssertionError(msg)
    return _Recording(tuple(sent), revision)


def _replay(engine: Engine, recording: _Recording) -> None:
    with engine.begin() as connection:
        cursor = connection.connection.cursor()
        try:
            for sent in recording.statements:
                if sent.many:
                    cursor.executemany(sent.statement, sent.parameters)
                elif sent.bare:
                    cursor.execute(sent.statement)
                else:
                    cursor.execute(sent.statement, sent.parameters)
        finally:
            cursor.close()
    replayed = current_revision(engine)
    if replayed != recording.revision:
        msg = f"the replayed schema is at {replayed!r}, not {recording.revision!r}"
        raise AssertionError(msg)


def migrate(engine: Engine) -> None:
    """Bring ``engine``'s database to the head revision: replayed when it is empty, else Alembic."""
    if current_revision(engine) is not None:  # not a fresh database: let Alembic decide
        upgrade_database(engine)
        return
    dialect = engine.dialect.name
    recording = _recordings.get(dialect)
    if recording is None:
        _recordings[dialect] = _record(engine)
        return
    _replay(engine, recording)


def recorded(dialect: str) -> bool:
    """Whether this process has recorded the upgrade for ``dialect`` (later databases replay it)."""
    return dialect in _recordings
