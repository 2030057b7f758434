"""The audit log's entries, newest first."""

from __future__ import annotations

import datetime as dt

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    Out,
)

__all__ = [
    "AuditEntriesPublic",
    "AuditEntryPublic",
]


class AuditEntryPublic(Out):
    sequence: int
    occurred_at: dt.datetime
    actor: str
    action: str
    subject: str
    details_json: str
    entry_hash: str


class AuditEntriesPublic(Out):
    items: list[AuditEntryPublic]
    limit: int
    next_before_sequence: int | None = Field(
        description="Pass as before_sequence for the next (older) page; null at the start."
    )
