"""Engines from a URL, with the durability settings clinical writes need (SR-25).

SQLite: WAL journal, ``synchronous=FULL``, foreign keys on, a busy timeout, and every transaction
opened with ``BEGIN IMMEDIATE`` so writers queue for the lock instead of failing half-way (nearly
every transaction writes: reads of PHI append to the audit log). Within one process the writers
queue on a lock of the engine (:class:`WriterLock`) before ``BEGIN IMMEDIATE``, held until the
connection goes back to the pool: a waiting thread wakes when the lock is free instead of sleeping
through SQLite's busy-handler back-off (1, 2, 5 … 100 ms steps: the p99 under 20 concurrent
requests). Other processes (the CLI) still meet the busy timeout. A connection opened with the
execution option ``READ_ONLY`` (``{"thecal_read_only": True}``) starts a deferred ``BEGIN`` and
takes neither lock: in WAL, readers never wait for the writer. The parent folder of the file is
created if missing (``sqlite:///var/thecal.db`` → ``var/``).

PostgreSQL (psycopg 3): SERIALIZABLE isolation; serialization failures are retried by
:func:`thecal.adapters.sql.unit_of_work.retry_on_serialization_failure`.

Both: ``hide_parameters`` — a database error's message shows the statement but not its bound
values, so an error logged with its traceback carries no patient data (no PHI in logs).

Migrations ship inside the package (``thecal/adapters/sql/migrations``) so an installed thecal can
upgrade its database; :func:`upgrade_database` runs them on an engine without any ``alembic.ini``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS_DIR",
    "READ_ONLY",
    "Executor",
    "WriterLock",
    "alembic_config",
    "current_revision",
    "downgrade_database",
    "make_engine",
    "read_row",
    "upgrade_database",
]

#: What repositories run their Core statements on: the unit of work's ORM session, or a plain
#: connection in a read-only unit of work (no ORM session to build and tear down per read).
Executor = Session | Connection

BUSY_TIMEOUT_MS = 30_000
#: Execution options of a connection that only reads (no write lock, deferred ``BEGIN``).
READ_ONLY = {"thecal_read_only": True}
_HOLDS_WRITER_LOCK = "thecal_holds_writer_lock"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
    finally:
        cursor.close()


class WriterLock:
    """One SQLite writer at a time in this process, taken at ``BEGIN``, released at check-in.

    A thread that already holds it (a nested write on another connection of the same thread)
    does not wait for itself: it goes on to ``BEGIN IMMEDIATE`` and SQLite's busy timeout, as
    before. After :data:`BUSY_TIMEOUT_MS` without the lock the transaction begins anyway and
    SQLite's own busy handling decides.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def begin(self, connection: Any) -> None:
        if connection.get_execution_options().get("thecal_read_only"):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info
        me = threading.get_ident()
        waits = not info.get(_HOLDS_WRITER_LOCK) and self._owner != me
        if waits and self._lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            self._owner = me
            info[_HOLDS_WRITER_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.release(info)
            raise

    def release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_WRITER_LOCK, False):
            self._owner = None
            self._lock.release()

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self.release(record.info)


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        hide_parameters=True,
        **options,
    )
    writers = WriterLock()
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", writers.begin)
    event.listen(engine.pool, "checkin", writers.checkin)
    return engine


def read_row(engine: Engine, sql: str) -> tuple[Any, ...] | None:
    """The first row of a static, parameterless ``SELECT`` (None: no row, or no such table).

    Runs on a raw driver connection from the pool, outside any unit of work and without
    SQLAlchemy's statement machinery (a fraction of its cost): for the single-row reads every
    request makes (the clinic clock's offset, the clinical generation). On SQLite the pooled
    connection is in autocommit mode, so the read takes no lock; PostgreSQL's implicit
    transaction is rolled back.
    """
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            row = cursor.fetchone()
        finally:
            cursor.close()
        connection.rollback()
    except engine.dialect.loaded_dbapi.Error:
        return None
    finally:
        connection.close()
    return tuple(row) if row is not None else None


def make_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL via psycopg) with thecal's settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **options)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            isolation_level="SERIALIZABLE",
            pool_pre_ping=True,
            hide_parameters=True,
            **options,
        )
    msg = f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    raise ValueError(msg)


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration for the packaged migrations; no ini file, no URL in it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision`` (``"base"``: drop everything)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
