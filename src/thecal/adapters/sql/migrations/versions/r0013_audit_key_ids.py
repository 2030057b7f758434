"""Audit key ids: every entry names the key that signed it; the head names the last one's.

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-05

``audit_entries.key_id`` and ``audit_chain_head.last_key_id`` are added in place with the default
``'k1'``: every entry written before this revision was signed with the one key there was
(``THECAL_AUDIT_KEY``, whose id is ``k1``). Adding a column with a constant default rewrites no
row (SQLite and PostgreSQL both keep the default in the schema), so the append-only triggers are
not involved. Later keys come from ``thecal audit rotate-key`` (docs/persistence.md).

Downgrading drops both columns, and refuses while any entry was signed with a key other than
``k1``: without its id such an entry could never be verified again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_KEY_ID = "k1"


def upgrade() -> None:
    op.add_column(
        "audit_entries",
        sa.Column("key_id", sa.String(length=32), nullable=False, server_default=FIRST_KEY_ID),
    )
    op.add_column(
        "audit_chain_head",
        sa.Column("last_key_id", sa.String(length=32), nullable=False, server_default=FIRST_KEY_ID),
    )


def downgrade() -> None:
    rotated = (
        op.get_bind()
        .execute(
            sa.text("SELECT count(*) FROM audit_entries WHERE key_id <> :first"),
            {"first": FIRST_KEY_ID},
        )
        .scalar_one()
    )
    if rotated:
        msg = (
            f"refusing to downgrade: {rotated} audit entries were signed with a rotated key; "
            "without their key ids they could never be verified again"
        )
        raise RuntimeError(msg)
    op.drop_column("audit_chain_head", "last_key_id")
    op.drop_column("audit_entries", "key_id")
