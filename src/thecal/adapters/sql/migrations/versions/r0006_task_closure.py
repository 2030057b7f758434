"""How a task was closed: ``tasks.completed_how`` (domain/tasks.py ``TaskClosure``) and an
optional ``completion_note``, with a check that only a done task has a closure.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Written to match ``adapters/sql/tables/tasks.py``; the metadata-agreement test keeps them equal.
Tasks closed before this revision were only ever closed by a re-dated post-MRI task replacing
them, so they are marked ``superseded``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLOSURE_MATCHES_STATE = (
    "(state = 'open' AND completed_how IS NULL) OR (state = 'done' AND completed_how IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_how", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("completion_note", sa.Text(), nullable=True))
    op.execute("UPDATE tasks SET completed_how = 'superseded' WHERE state = 'done'")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_check_constraint("closure_matches_state", sa.text(_CLOSURE_MATCHES_STATE))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tasks_closure_matches_state"), type_="check")
        batch_op.drop_column("completion_note")
        batch_op.drop_column("completed_how")
