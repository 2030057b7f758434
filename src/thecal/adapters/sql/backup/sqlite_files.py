"""SQLite backups through SQLite's online backup API, both ways.

**Backup**: ``sqlite3.Connection.backup`` copies every page of the live database in one step,
under a read transaction, into a new file beside the destination; in WAL mode writers go on
meanwhile and the copy is the database as of that step's start (every transaction committed
before it, none after). The copy is written as ``<file>.partial`` and renamed only once whole
and flushed to disk, so a crash never leaves a half backup under the real name.

**Restore**: the backup is first copied (again with the backup API) into a temporary file beside
the live database and checked there (``check.py``); only then is it copied into the live
database with the backup API, which replaces the destination's content in one transaction (other
connections see the old clinic or the new one, never a mixture). SQLite writes it through its
own locking and journal, so a crash mid-restore leaves the old database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from thecal.adapters.sql.database import BUSY_TIMEOUT_MS

__all__ = ["copy_into", "database_file", "online_backup", "reader"]


def database_file(url: str) -> Path:
    """The file of a SQLite URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        msg = f"{url!r} is not a SQLite database file"
        raise ValueError(msg)
    return Path(database)


@contextlib.contextmanager
def _open(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        yield connection
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def online_backup(source: Path, destination: Path) -> None:
    """Copy the live database ``source`` into the new file ``destination`` (replaced if there)."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    with _open(source, read_only=True) as live, _open(partial, read_only=False) as copy:
        live.backup(copy)  # every page in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    _fsync(partial)
    partial.replace(destination)
    _fsync(destination.parent)


def copy_into(source: Path, destination: Path) -> None:
    """Replace ``destination``'s content by ``source``'s, in one transaction of ``destination``."""
    with _open(source, read_only=True) as backup, _open(destination, read_only=False) as live:
        backup.backup(live)


def reader(path: Path) -> Engine:
    """A read-only engine on a copy (a backup, a restore's scratch file): it writes nothing, not
    even a WAL, so the file stays byte for byte as written."""
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool)
