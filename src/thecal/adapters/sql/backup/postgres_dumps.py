"""PostgreSQL backups with the server's own tools: ``pg_dump``, ``pg_restore`` and ``psql``.

The client tools must be of the server's major version or newer (``pg_dump`` refuses an older
server's newer catalog); :func:`tool` finds them on ``PATH`` (or in ``THECAL_PG_BINDIR``).
Connection settings go to the tools as libpq environment variables (``PGHOST``, ``PGPASSWORD`` …),
never on the command line, where other users could read a password in the process list.

**Backup**: thecal's tables live in one schema — the one ``search_path`` names in the URL's
``options`` (``-csearch_path=…``), else ``public`` — and ``pg_dump --schema`` dumps that schema in
the custom format. It dumps inside a snapshot this module exports from its own ``REPEATABLE
READ`` transaction (``pg_export_snapshot``), in which the manifest's row counts and audit head are
read too: the dump and its manifest describe exactly the same instant, while the clinic goes on
writing.

**Restore**: the dump is first restored into a new, temporary database and checked there
(``check.py``); the temporary database is dropped afterwards. Only then does ``psql`` apply it
to the live database in ONE transaction that first renames the live schema to
``<schema>_before_restore_<stamp>`` and then rebuilds the schema from the dump: either the whole
clinic is replaced or nothing is. The old schema is kept for rollback until the operator drops it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from thecal.domain.backup_errors import BackupToolFailed, BackupToolMissing

__all__ = [
    "MIN_CLIENT_MAJOR",
    "connected_sessions",
    "dump",
    "libpq_environment",
    "restore_into_live",
    "schema_exists",
    "schema_of",
    "scratch_database",
    "tool",
]

MIN_CLIENT_MAJOR: Final = 13  # the oldest PostgreSQL thecal is tested against is newer
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SEARCH_PATH = re.compile(r"-c\s*search_path=([^\s,]+)")


def tool(name: str, *, what: str) -> str:
    """The path of a PostgreSQL client program, checked to run and to be new enough."""
    folder = os.environ.get("THECAL_PG_BINDIR")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if found is None or not Path(found).exists():
        raise BackupToolMissing(tool=name, what=what, detail="it is not on PATH")
    version = subprocess.run(  # noqa: S603 - our own tool path, no shell
        [found, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = _VERSION.search(version)
    if match is None or int(match.group(1)) < MIN_CLIENT_MAJOR:
        detail = f"{found} says {version.strip()!r} (needs {MIN_CLIENT_MAJOR} or newer)"
        raise BackupToolMissing(tool=name, what=what, detail=detail)
    return found


def schema_of(url: URL) -> str:
    """The schema thecal's tables are in: the URL's ``search_path`` option, else ``public``."""
    options = url.query.get("options")
    text_options = options if isinstance(options, str) else " ".join(options or ())
    match = _SEARCH_PATH.search(text_options)
    schema = match.group(1) if match else "public"
    if not _IDENTIFIER.match(schema):
        msg = f"schema {schema!r} is not a plain identifier"
        raise ValueError(msg)
    return schema


def libpq_environment(url: URL, *, database: str | None = None) -> dict[str, str]:
    """The libpq variables that connect to ``url`` (another ``database`` if given)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": database or url.database,
    }
    env.update({k: v for k, v in values.items() if v})
    options = url.query.get("options")
    if isinstance(options, str):
        env["PGOPTIONS"] = options
    return env


def _run(command: Sequence[str], env: dict[str, str], *, stdin: bytes | None = None) -> None:
    done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        list(command), env=env, input=stdin, capture_output=True, check=False
    )
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-2000:] or "(no message)"
        raise BackupToolFailed(tool=Path(command[0]).name, status=done.returncode, detail=detail)


def dump(connection: Connection, url: URL, destination: Path) -> None:
    """``pg_dump`` the schema in the snapshot of ``connection``'s open REPEATABLE READ
    transaction, to ``destination`` (custom format)."""
    pg_dump = tool("pg_dump", what="backup")
    snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    command = [pg_dump, "--format=custom", f"--schema={schema_of(url)}", f"--snapshot={snapshot}"]
    _run([*command, "--no-owner", f"--file={partial}"], libpq_environment(url))
    partial.replace(destination)


def schema_exists(engine: Engine, schema: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema}
        ).first()
    return found is not None


def connected_sessions(engine: Engine) -> list[str]:
    """Other sessions on the database (application name and address), for a restore's refusal."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT coalesce(nullif(application_name, ''), '?') || '@' || "
                "coalesce(host(client_addr), 'local') FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
        ).all()
    return [str(row[0]) for row in rows]


@contextmanager
def scratch_database(engine: Engine, url: URL, backup: Path) -> Iterator[URL]:
    """A new database holding ``backup`` restored (dropped afterwards): its URL."""
    pg_restore = tool("pg_restore", what="restore")
    name = f"thecal_restore_{secrets.token_hex(6)}"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))  # a generated identifier
    try:
        command = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner"]
        env = libpq_environment(url, database=name)
        env.pop("PGOPTIONS", None)  # the schema does not exist yet: pg_restore creates it
        _run([*command, f"--dbname={name}", str(backup)], env)
        yield url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def restore_into_live(url: URL, backup: Path, *, stamp: str, exists: bool) -> str | None:
    """Replace the live schema by the dump's in one transaction; the old schema's new name
    (None: there was no live schema to keep)."""
    pg_restore = tool("pg_restore", what="restore")
    psql = tool("psql", what="restore")
    schema = schema_of(url)
    kept = f"{schema}_before_restore_{stamp}"
    env = libpq_environment(url)
    env.pop("PGOPTIONS", None)
    script = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [pg_restore, "--no-owner", "--file=-", str(backup)], capture_output=True, check=False
    )
    if script.returncode != 0:
        detail = script.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise BackupToolFailed(tool="pg_restore", status=script.returncode, detail=detail)
    preamble = f'ALTER SCHEMA "{schema}" RENAME TO "{kept}";\n'.encode() if exists else b""
    _run(
        [psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
        env,
        stdin=preamble + script.stdout,
    )
    return kept if exists else None
