"""Errors of taking and restoring a backup (``thecal db backup|restore``), in the one tree.

::

    WorkflowError
    └── BackupError                               THC-BACKUP-*
        ├── BackupToolMissing                       THC-BACKUP-001 pg_dump/pg_restore/psql missing or too old
        ├── BackupToolFailed                        THC-BACKUP-002 the tool ran and failed (its message)
        ├── BackupDamaged                           THC-BACKUP-003 no file, no manifest, or a digest that differs
        ├── RestoredClinicInvalid                   THC-BACKUP-004 the restored copy failed a check: not accepted
        └── RestoreTargetBusy                       THC-BACKUP-005 other sessions are using the database
"""

from __future__ import annotations

from thecal.domain.errors import WorkflowError

__all__ = [
    "BackupDamaged",
    "BackupError",
    "BackupToolFailed",
    "BackupToolMissing",
    "RestoreTargetBusy",
    "RestoredClinicInvalid",
]


class BackupError(WorkflowError):
    code = "THC-BACKUP-000"
    template = "{detail}"


class BackupToolMissing(BackupError):
    code = "THC-BACKUP-001"
    template = (
        "{tool} is needed for a PostgreSQL {what} and {detail}: install the PostgreSQL client "
        "(Debian: postgresql-client) of the server's major version or newer"
    )


class BackupToolFailed(BackupError):
    code = "THC-BACKUP-002"
    template = "{tool} failed (exit {status}): {detail}"


class BackupDamaged(BackupError):
    code = "THC-BACKUP-003"
    template = "the backup {path} cannot be used: {detail}; nothing was restored"


class RestoredClinicInvalid(BackupError):
    code = "THC-BACKUP-004"
    template = (
        "the backup {path} restored into a temporary copy failed its check ({check}): {detail}; "
        "it was not accepted and the database is unchanged"
    )


class RestoreTargetBusy(BackupError):
    code = "THC-BACKUP-005"
    template = (
        "{sessions} other session(s) are connected to the database ({who}): stop the thecal "
        "servers (systemctl stop thecal) before a restore, or pass --force"
    )
