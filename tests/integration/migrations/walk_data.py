"""Rows for the migration walk (``test_migration_walk.py``): what each revision gets filled with.

After each ``upgrade`` step the walk inserts :data:`ROWS_PER_STEP` rows into every table the
revision created or whose columns it changed. Each row is a **real row of a small demo clinic**
(the seed's 14 patients, every pathway feature, taken once at the code's head: realistic
programs, admixtures, findings as the mappers write them), cut to the columns the table has at
that revision, with its keys and unique columns made unique (``<column>-<n>``) and its foreign
keys pointing at an existing parent row; a column the demo leaves empty is filled from its type
(strings ``<column>-<n>``, ``*_json`` ``{}``, numbers ``n``, instants :data:`AT`). So a new
revision — even a data migration that reads rows through the mappers — is exercised without a
line here. Write here only what that gets wrong:

* :data:`OVERRIDES` — fixed values for columns a CHECK constrains (``table → column → value``);
* :data:`POPULATE` — a function for a revision whose rows need more than that (a data
  migration, a chain to keep valid): ``revision → fn(connection, n)``, run after the generic
  fill of that revision;
* :data:`SKIPPED` — tables the migration fills itself (one-row tables), and the audit chain,
  which :func:`every_step` extends with valid links at every step (it must keep verifying).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, MetaData, Table, insert, update

from thecal.domain.audit import ChainHead, append_entry

__all__ = ["AT", "AUDIT_KEY", "OVERRIDES", "POPULATE", "ROWS_PER_STEP", "SKIPPED", "every_step"]

ROWS_PER_STEP = 2
AT = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
AUDIT_KEY = b"migration-walk-audit-key-0123456789abcdef"

SKIPPED = frozenset(
    {"alembic_version", "audit_chain_head", "clinic_clock", "clinical_generation", "audit_entries"}
)

OVERRIDES: dict[str, dict[str, Any]] = {
    # (role = 'patient') = (patient_id IS NOT NULL): every walk user is a patient's account
    "users": {"role": "patient", "active": True},
    # starts_at < clinician_ends_at <= ends_at; weekday 0–6 (revision 0015, scheduling)
    "appointments": {
        "starts_at": AT,
        "clinician_ends_at": AT + dt.timedelta(minutes=30),
        "ends_at": AT + dt.timedelta(hours=1),
    },
    "working_hours": {"weekday": 2},
}


def _audit_chain(connection: Connection, n: int) -> None:
    """Append entry ``n`` to the audit chain (a valid link) and advance the recorded head."""
    meta = MetaData()
    entries = Table("audit_entries", meta, autoload_with=connection)
    head_table = Table("audit_chain_head", meta, autoload_with=connection)
    head_row = connection.execute(head_table.select()).one()
    head = ChainHead(sequence=head_row.last_sequence, entry_hash=head_row.last_hash)
    entry = append_entry(
        head if head.sequence else None,
        key=AUDIT_KEY,
        occurred_at=AT + dt.timedelta(minutes=n),
        actor=f"walker-{n}",
        action="migration.walk",
        subject=f"step:{n}",
        details={"n": n, "note": json.dumps({"nested": True})},
    )
    connection.execute(
        insert(entries).values(
            sequence=entry.sequence,
            occurred_at=entry.occurred_at,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details_json=entry.details_json,
            previous_hash=entry.previous_hash,
            entry_hash=entry.entry_hash,
        )
    )
    connection.execute(
        update(head_table).values(last_sequence=entry.sequence, last_hash=entry.entry_hash)
    )


#: revision → extra rows after its generic fill; the audit chain grows at every step
POPULATE: dict[str, Callable[[Connection, int], None]] = {}


def every_step(connection: Connection, n: int) -> None:
    """Run at every step: the chain gets new entries whatever the revision changed."""
    _audit_chain(connection, n)
