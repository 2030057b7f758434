"""The audit key ring from the environment and a key file (``THECAL_AUDIT_KEY_FILE``).

The ring is ``THECAL_AUDIT_KEY`` (id ``THECAL_AUDIT_KEY_ID``, default ``k1``) followed by the keys
of the key file in the order they were added. The file holds one key per line::

    # thecal audit keys: keep outside the database, readable by the server's user only
    k2 6f1c…(64 hex digits: 32 random bytes)

``thecal audit rotate-key`` appends a line (:meth:`FileAuditKeys.add_key`): a new random key,
under an exclusive lock, written and flushed to disk before the rotation entry is committed; the
file is created readable and writable by its owner only (0600). Lines are never rewritten: an old
key is kept for as long as entries it signed are kept (docs/persistence.md, *Retention*).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import threading
from pathlib import Path

from thecal.domain.audit import AuditKey, AuditKeyInvalid, AuditKeyRing
from thecal.services.audit_keys import AuditKeys

__all__ = ["KEY_BYTES", "FileAuditKeys", "read_key_file"]

KEY_BYTES = 32
_HEADER = "# thecal audit keys: keep outside the database, readable by the server's user only\n"


def read_key_file(path: Path) -> list[AuditKey]:
    """The keys of ``path`` in order (none when it does not exist yet).

    Raises:
        AuditKeyInvalid: a line is not ``<id> <hex secret>``, naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    keys: list[AuditKey] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split()
        if len(parts) != 2:  # an id and a secret
            raise AuditKeyInvalid(key_id=f"{path}:{number}", detail="write '<id> <hex secret>'")
        try:
            secret = bytes.fromhex(parts[1])
        except ValueError:
            raise AuditKeyInvalid(
                key_id=f"{path}:{number}", detail="the secret is not hexadecimal"
            ) from None
        keys.append(AuditKey(parts[0], secret))
    return keys


class FileAuditKeys(AuditKeys):
    """``first`` (from the environment), then the key file's keys; reloaded on request."""

    def __init__(self, first: AuditKey, path: Path | None = None) -> None:
        self._first = first
        self._path = path
        self._lock = threading.Lock()
        self._ring = self._load()

    @property
    def path(self) -> Path | None:
        return self._path

    def _load(self) -> AuditKeyRing:
        extra = read_key_file(self._path) if self._path is not None else []
        return AuditKeyRing([self._first, *extra])

    def ring(self) -> AuditKeyRing:
        return self._ring

    def reload(self) -> AuditKeyRing:
        with self._lock:
            self._ring = self._load()
            return self._ring

    def add_key(self) -> AuditKey:
        if self._path is None:
            return super().add_key()  # raises AuditKeyRotationUnavailable
        self._path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # one rotation at a time, across processes
            ring = self._load()
            key = AuditKey(ring.next_key_id(), secrets.token_bytes(KEY_BYTES))
            header = _HEADER if os.fstat(descriptor).st_size == 0 else ""
            os.write(descriptor, f"{header}{key.key_id} {key.secret.hex()}\n".encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)  # releases the lock
        self.reload()
        return key
