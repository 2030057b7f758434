"""Program changes (revision 0004) and the confirmation tokens they spent (SR-16).

Old and new programs are canonical JSON text (``adapters/program_codec.py``); signatures,
acknowledgements, sends, tasks, tokens and the history are JSON text in ``state_json``.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "program_changes",
    "used_confirmation_tokens",
]

program_changes = Table(
    "program_changes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("proposed_by", String(36), nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("rationale", Text, nullable=False, server_default=""),
    Column("diff_digest", String(64), nullable=False),
    Column("old_program_json", Text, nullable=False),
    Column("new_program_json", Text, nullable=False),
    Column("findings_json", Text, nullable=False),
    Column("signed_by", String(36), nullable=True),
    Column("co_signed_by", String(36), nullable=True),
    Column("overrides_json", Text, nullable=False),
    Column("state_json", Text, nullable=False),  # signatures, acks, sends, tasks, tokens, history
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    # SR-02: a co-signature is never the signer's own.
    CheckConstraint(
        "co_signed_by IS NULL OR (signed_by IS NOT NULL AND co_signed_by <> signed_by)",
        name="two_distinct_signers",
    ),
    Index("ix_program_changes_state_proposed_at", "state", "proposed_at"),  # the worklist (0005)
)


used_confirmation_tokens = Table(
    "used_confirmation_tokens",
    metadata,
    Column("token_id", String(100), primary_key=True),
    Column("change_id", String(36), ForeignKey("program_changes.id"), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("used_at", UtcDateTime, nullable=False),
)
