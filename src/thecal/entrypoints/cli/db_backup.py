"""`thecal db backup` and `thecal db restore` (issue 16 §2; docs/deploy.md, "Backups").

A backup is one file plus its manifest (``<file>.manifest.json``: schema revision, rows per
table, the audit chain's head, the file's SHA-256): SQLite's online backup API for SQLite,
``pg_dump`` (custom format, the client of the server's major version or newer) for PostgreSQL.
Both run while the clinic keeps working. A restore checks the backup in a temporary copy first —
integrity, a schema this code knows, the whole audit chain with this server's key, the manifest's
counts and head — and only then replaces the clinic, in one transaction, keeping the clinic as it
was for rollback. Stop the servers before a restore. These are operator commands on the server
(like ``pg_dump`` itself), outside the application's accounts: protect the backup files as you
protect the database (they hold every patient's record).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from thecal.adapters.sql.backup.clinic_backup import restore_backup, take_backup
from thecal.adapters.sql.backup.manifest import Manifest, manifest_path
from thecal.bootstrap import bootstrap, system_clock
from thecal.entrypoints.cli.output import emit, translate_errors

__all__ = ["backup", "restore"]

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _summary(manifest: Manifest) -> dict[str, Any]:
    survey = manifest.survey
    return {
        "database": manifest.database,
        "taken_at": manifest.taken_at,
        "revision": survey.revision,
        "rows": sum(survey.tables.values()),
        "tables": survey.tables,
        "audit_head": survey.audit_sequence,
        "sha256": manifest.sha256,
    }


def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (replaced if there).")],
    as_json: Json = False,
) -> None:
    """Back up the clinic (while it runs) to PATH, with PATH.manifest.json beside it."""
    with translate_errors(as_json=as_json):
        thecal = bootstrap()
        try:
            manifest = take_backup(thecal.engine, path, clock=system_clock())
        finally:
            thecal.close()
        summary = _summary(manifest)
        human = (
            f"backup written: {path} ({manifest.database}, {summary['rows']:,} rows in "
            f"{len(manifest.survey.tables)} tables, audit head {summary['audit_head']}, schema "
            f"{summary['revision']}); manifest {manifest_path(path)}"
        )
        emit({"path": str(path), **summary}, human, as_json=as_json)


def restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `thecal db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Restore although other sessions use the database."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Check the backup at PATH in a temporary copy, then replace the clinic with it (in one
    transaction, keeping the clinic as it was). Stop the servers first."""
    with translate_errors(as_json=as_json):
        thecal = bootstrap()
        try:
            where = thecal.engine.url.render_as_string(hide_password=True)
            if not yes:
                typer.confirm(f"Replace the clinic at {where} with {path}?", abort=True)
            report = restore_backup(
                thecal.engine,
                path,
                audit_key=thecal.settings.audit_key_bytes,
                clock=system_clock(),
                force=force,
            )
        finally:
            thecal.close()
        checked = report.checked
        human = (
            f"restored {path} (taken {report.manifest.taken_at:%Y-%m-%d %H:%M} UTC): "
            f"integrity ok, schema {checked.survey.revision}, audit chain ok "
            f"({checked.audit_entries} entries), rows match the manifest "
            f"({sum(checked.survey.tables.values()):,})"
            + (f"; the clinic as it was is kept as {report.kept}" if report.kept else "")
        )
        payload = {
            "path": str(path),
            **_summary(report.manifest),
            "audit_entries_checked": checked.audit_entries,
            "kept": report.kept,
            "checks": dataclasses.asdict(checked.survey) | {"ok": True},
        }
        emit(payload, human, as_json=as_json)
