"""The audit log as CSV: one row per entry in sequence order, ids and names side by side, the
details exactly as hashed (so a row can be checked against the chain)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from thecal.domain.audit import AuditEntry

__all__ = ["AUDIT_CSV_COLUMNS", "audit_csv_text"]

AUDIT_CSV_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "actor_name",
    "action",
    "subject",
    "subject_name",
    "details_json",
    "key_id",
    "entry_hash",
)


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (OWASP: CSV injection)."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def audit_csv_text(entries: Sequence[AuditEntry], names: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            (
                e.sequence,
                e.occurred_at.isoformat(),
                e.actor,
                _cell(names.get(e.actor, "")),
                e.action,
                e.subject,
                _cell(names.get(e.subject, "")),
                e.details_json,
                e.key_id,
                e.entry_hash,
            )
        )
    return buffer.getvalue()
