"""The manifest beside every backup (``<backup>.manifest.json``): what the backup must hold.

Written by ``thecal db backup`` from a survey of the backup itself (SQLite) or of the very
snapshot ``pg_dump`` dumped (PostgreSQL), with the file's SHA-256; read by ``thecal db restore``,
which refuses a file whose digest differs (damaged or replaced) and a restored database whose row
counts or audit head differ from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from thecal.adapters.sql.backup.survey import Survey

__all__ = ["FORMAT", "VERSION", "Manifest", "ManifestInvalid", "file_digest", "manifest_path"]

FORMAT: Final = "thecal-backup"
VERSION: Final = 1
_CHUNK = 1 << 20


class ManifestInvalid(ValueError):
    """The manifest cannot be read, or is not a thecal backup manifest of a known version."""


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def file_digest(path: Path) -> str:
    """The file's SHA-256 (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    database: str  # "sqlite" or "postgresql"
    taken_at: dt.datetime
    thecal_version: str
    sha256: str
    survey: Survey

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "database": self.database,
            "taken_at": self.taken_at.isoformat(),
            "thecal_version": self.thecal_version,
            "sha256": self.sha256,
            **asdict(self.survey),
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    def write(self, backup: Path) -> Path:
        path = manifest_path(backup)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, backup: Path) -> Manifest:
        path = manifest_path(backup)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("version") != VERSION:
                msg = f"{path} is not a {FORMAT} manifest of version {VERSION}"
                raise ManifestInvalid(msg)
            return cls(
                database=str(data["database"]),
                taken_at=dt.datetime.fromisoformat(data["taken_at"]),
                thecal_version=str(data["thecal_version"]),
                sha256=str(data["sha256"]),
                survey=Survey(
                    revision=data["revision"],
                    tables={str(k): int(v) for k, v in data["tables"].items()},
                    audit_sequence=data["audit_sequence"],
                    audit_hash=data["audit_hash"],
                ),
            )
        except (OSError, KeyError, TypeError, ValueError) as error:
            if isinstance(error, ManifestInvalid):
                raise
            msg = f"cannot read the manifest {path}: {error}"
            raise ManifestInvalid(msg) from error
