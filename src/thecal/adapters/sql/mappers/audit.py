"""Rows ↔ audit entries (``tables/audit.py``).

Reading never trusts a row: ``occurred_at`` is read as stored (text on SQLite, a datetime on
PostgreSQL; the repository selects it without SQLAlchemy's conversion) and parsed here, so a row
no entry can have is named (:class:`AuditEntryUnreadable`) instead of crashing a verification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from thecal.domain.audit import AuditEntry, AuditEntryUnreadable

__all__ = [
    "ENTRY_COLUMNS",
    "audit_entry_from_columns",
    "audit_entry_from_row",
    "audit_entry_to_row",
]

#: The order :func:`audit_entry_from_columns` reads a row in (the table's, ``key_id`` last).
ENTRY_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "subject",
    "details_json",
    "previous_hash",
    "entry_hash",
    "key_id",
)


def audit_entry_to_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "details_json": entry.details_json,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
        "key_id": entry.key_id,
    }


def _instant(value: Any, sequence: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps text; PostgreSQL hands back a datetime
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise AuditEntryUnreadable(
                sequence=sequence, detail=f"occurred_at {value[:40]!r} is not an instant"
            ) from None
    if not isinstance(value, dt.datetime):
        raise AuditEntryUnreadable(sequence=sequence, detail=f"occurred_at is {value!r}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def audit_entry_from_row(row: Mapping[str, Any]) -> AuditEntry:
    """An entry from a row mapping (column name → value); see :func:`audit_entry_from_columns`."""
    return audit_entry_from_columns(tuple(row.get(name) for name in ENTRY_COLUMNS))


def audit_entry_from_columns(row: Any) -> AuditEntry:
    """An entry from a row of :data:`ENTRY_COLUMNS`, in that order (the repository's stream).

    Raises:
        AuditEntryUnreadable: a column holds what no entry can (NULL, a broken instant).
    """
    sequence, occurred, actor, action, subject, details, previous, entry_hash, key_id = row
    if None in (actor, action, subject, details, previous, entry_hash, key_id):
        raise AuditEntryUnreadable(sequence=sequence, detail="a required column is NULL")
    return AuditEntry(
        sequence=sequence,
        occurred_at=_instant(occurred, sequence),
        actor=actor,
        action=action,
        subject=subject,
        details_json=details,
        previous_hash=previous,
        entry_hash=entry_hash,
        key_id=key_id,
    )
