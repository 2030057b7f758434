"""Rows ↔ audit entries (``tables/audit.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.audit import AuditEntry

__all__ = [
    "audit_entry_from_row",
    "audit_entry_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


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
    }


def audit_entry_from_row(row: Row) -> AuditEntry:
    return AuditEntry(
        sequence=row["sequence"],
        occurred_at=row["occurred_at"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        details_json=row["details_json"],
        previous_hash=row["previous_hash"],
        entry_hash=row["entry_hash"],
    )
