"""Rows ↔ audit entries (``tables/audit.py``).

Reading never trusts a row: ``occurred_at`` is read as stored (text on SQLite, a datetime on
PostgreSQL; the repository selects it without SQLAlchemy's conversion) and parsed here, so a row
no entry can have is named (:class:`AuditEntryUnreadable`) instead of crashing a verification.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from thecal.domain.audit import AuditEntry, AuditEntryUnreadable

__all__ = [
    "audit_entry_from_row",
    "audit_entry_to_row",
]


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


def audit_entry_from_row(row: Any) -> AuditEntry:
    """An entry from a row of the repository's columns, in table order (``key_id`` last).

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
