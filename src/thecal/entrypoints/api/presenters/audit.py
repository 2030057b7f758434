"""Audit entries → API documents."""

from __future__ import annotations

from thecal.domain.audit import AuditEntry
from thecal.entrypoints.api.schemas.audit import AuditEntryPublic

__all__ = [
    "audit_entry_public",
]


def audit_entry_public(entry: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        sequence=entry.sequence,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        details_json=entry.details_json,
        entry_hash=entry.entry_hash,
    )
