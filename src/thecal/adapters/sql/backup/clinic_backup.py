"""Take a backup of the clinic, or restore one — checked before it is accepted.

:func:`take_backup` writes the backup file and its manifest (``manifest.py``); :func:`restore_backup`
refuses a backup whose file digest differs from its manifest, restores it into a temporary copy
(a file beside the SQLite database; a scratch PostgreSQL database), checks that copy
(``check.py``: integrity, schema, the whole audit chain with this server's key, the manifest's
row counts and audit head) and only then replaces the live clinic in one transaction
(``sqlite_files.py``, ``postgres_dumps.py``), keeping the clinic as it was (a file
``<db>.before-restore-<stamp>``, a schema ``<schema>_before_restore_<stamp>``) for rollback; the
live clinic is checked once more. A refused backup changes nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from thecal import __version__
from thecal.adapters.sql.backup import postgres_dumps, sqlite_files
from thecal.adapters.sql.backup.check import Checked, RestoreCheckFailed, check_restored
from thecal.adapters.sql.backup.manifest import (
    Manifest,
    ManifestInvalid,
    file_digest,
    manifest_path,
)
from thecal.adapters.sql.backup.survey import survey
from thecal.adapters.sql.database import make_engine
from thecal.domain.backup_errors import BackupDamaged, RestoredClinicInvalid, RestoreTargetBusy
from thecal.services.clock import Clock

__all__ = ["RestoreReport", "restore_backup", "take_backup"]


def take_backup(engine: Engine, destination: Path, *, clock: Clock) -> Manifest:
    """Back the clinic behind ``engine`` up to ``destination`` (and its manifest beside it)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    taken_at = clock.now()
    if engine.dialect.name == "sqlite":
        source = sqlite_files.database_file(engine.url.render_as_string(hide_password=False))
        sqlite_files.online_backup(source, destination)
        copy = sqlite_files.reader(destination)
        try:
            with copy.connect() as connection:
                found = survey(connection)
        finally:
            copy.dispose()
    else:
        snapshot = engine.execution_options(isolation_level="REPEATABLE READ")
        with snapshot.connect() as connection, connection.begin():
            found = survey(connection)  # in the snapshot pg_dump dumps
            postgres_dumps.dump(connection, engine.url, destination)
    manifest = Manifest(
        database=engine.dialect.name,
        taken_at=taken_at,
        thecal_version=__version__,
        sha256=file_digest(destination),
        survey=found,
    )
    manifest.write(destination)
    return manifest


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreReport:
    manifest: Manifest
    checked: Checked
    kept: str | None  # the clinic as it was before: a file (SQLite) or a schema (PostgreSQL)


def _manifest_of(backup: Path, engine: Engine) -> Manifest:
    if not backup.is_file():
        raise BackupDamaged(path=backup, detail="there is no such file")
    try:
        manifest = Manifest.read(backup)
    except ManifestInvalid as error:
        raise BackupDamaged(path=backup, detail=str(error)) from error
    if manifest.database != engine.dialect.name:
        detail = f"it is a {manifest.database} backup and this database is {engine.dialect.name}"
        raise BackupDamaged(path=backup, detail=detail)
    if file_digest(backup) != manifest.sha256:
        detail = f"its SHA-256 differs from {manifest_path(backup).name} (damaged or replaced)"
        raise BackupDamaged(path=backup, detail=detail)
    return manifest


def _check(
    engine: Engine, backup: Path, *, key: bytes, clock: Clock, manifest: Manifest
) -> Checked:
    try:
        return check_restored(engine, audit_key=key, clock=clock, manifest=manifest)
    except RestoreCheckFailed as failed:
        raise RestoredClinicInvalid(path=backup, check=failed.check, detail=failed.detail) from None


def restore_backup(
    engine: Engine, backup: Path, *, audit_key: bytes, clock: Clock, force: bool = False
) -> RestoreReport:
    """Check ``backup`` in a temporary copy, then make it the clinic behind ``engine``."""
    manifest = _manifest_of(backup, engine)
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")
    if engine.dialect.name == "sqlite":
        live = sqlite_files.database_file(engine.url.render_as_string(hide_password=False))
        scratch = live.with_name(f"{live.name}.restore-{stamp}")
        try:
            sqlite_files.copy_into(backup, scratch)
            copy = sqlite_files.reader(scratch)
            try:
                checked = _check(copy, backup, key=audit_key, clock=clock, manifest=manifest)
            finally:
                copy.dispose()
            engine.dispose()  # no pooled connection of ours holds the old database open
            before = live.with_name(f"{live.name}.before-restore-{stamp}")
            if live.exists():  # the clinic as it was, kept for rollback
                sqlite_files.online_backup(live, before)
            sqlite_files.copy_into(scratch, live)
        finally:
            scratch.unlink(missing_ok=True)
        _check(engine, backup, key=audit_key, clock=clock, manifest=manifest)
        kept = str(before) if before.exists() else None
        return RestoreReport(manifest=manifest, checked=checked, kept=kept)
    url = engine.url
    others = postgres_dumps.connected_sessions(engine)
    if others and not force:
        raise RestoreTargetBusy(sessions=len(others), who=", ".join(sorted(set(others))[:5]))
    with ExitStack() as stack:
        scratch_url = stack.enter_context(postgres_dumps.scratch_database(engine, url, backup))
        copy = make_engine(scratch_url)
        stack.callback(copy.dispose)
        checked = _check(copy, backup, key=audit_key, clock=clock, manifest=manifest)
    exists = postgres_dumps.schema_exists(engine, postgres_dumps.schema_of(url))
    engine.dispose()
    kept = postgres_dumps.restore_into_live(url, backup, stamp=stamp, exists=exists)
    _check(engine, backup, key=audit_key, clock=clock, manifest=manifest)  # the live one now
    return RestoreReport(manifest=manifest, checked=checked, kept=kept)
