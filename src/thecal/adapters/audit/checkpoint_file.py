"""Checkpoints of the audit chain's head in an append-only file, and in the log.

One line per checkpoint (``thecal.domain.audit.checkpoints``), appended with ``O_APPEND`` under an
exclusive lock and flushed to disk before the call returns; the file is created readable and
writable by its owner only. Each checkpoint is also logged (logger ``thecal.audit.checkpoint``,
level INFO, the line itself as the message and ``extra={"audit_checkpoint": {...}}``), so a log
shipper can keep a copy off the machine (``THECAL_AUDIT_CHECKPOINT_LOG``).

Where the file is by default (``THECAL_AUDIT_CHECKPOINT_FILE`` unset): next to a SQLite database
file (``<file>.audit-checkpoints.jsonl``), and ``var/audit-checkpoints-<16 hex>.jsonl`` for any
other database, the hex naming the database URL (without its password). In production set the
path to a place the database's writers cannot reach (another volume; ``chattr +a`` makes a file
append-only on Linux).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from thecal.domain.errors import WorkflowError
from thecal.services.audit_checkpoints import CheckpointStore
from thecal.services.clock import Clock

__all__ = ["CheckpointFileUnwritable", "FileCheckpointStore", "default_checkpoint_path"]

log = logging.getLogger("thecal.audit.checkpoint")


class CheckpointFileUnwritable(WorkflowError):
    code = "THC-AUDIT-009"
    template = "cannot write the audit checkpoint file {path}: {reason}"


def default_checkpoint_path(database_url: str) -> Path:
    """Where checkpoints go when no path is configured (see the module docstring)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.name + ".audit-checkpoints.jsonl")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()
    return Path("var") / f"audit-checkpoints-{digest[:16]}.jsonl"


class FileCheckpointStore(CheckpointStore):
    """An append-only JSON-lines file (and a log line per checkpoint)."""

    def __init__(self, path: Path, *, clock: Clock, to_log: bool = True) -> None:
        super().__init__(clock)
        self._path = path
        self._to_log = to_log

    @property
    def location(self) -> str:
        return str(self._path)

    def _append_line(self, line: str) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                os.write(descriptor, (line + "\n").encode("utf-8"))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as error:
            raise CheckpointFileUnwritable(path=self._path, reason=error.strerror) from None
        if self._to_log:
            log.info(line, extra={"audit_checkpoint": json.loads(line)})

    def lines(self) -> Sequence[str]:
        try:
            return self._path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
