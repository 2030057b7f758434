"""Care teams and break-the-glass (issue 15 §3, SR-21).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

Four new tables (``tables/care_teams.py``): ``care_teams``, ``care_team_members`` (clinicians),
``care_team_patients`` (one team per patient) and ``break_glass_accesses``. No row is written: a
clinic with no care team keeps working as before (every clinician reaches every patient); once an
administrator creates a team, each clinician reaches the patients of their teams only
(docs/web.md, "Care teams"). Downgrading drops the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import UtcDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_teams",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "care_team_members",
        sa.Column("team_id", sa.String(36), sa.ForeignKey("care_teams.id"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_index("ix_care_team_members_user_id", "care_team_members", ["user_id"])
    op.create_table(
        "care_team_patients",
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), primary_key=True),
        sa.Column("team_id", sa.String(36), sa.ForeignKey("care_teams.id"), nullable=False),
    )
    op.create_index("ix_care_team_patients_team_id", "care_team_patients", ["team_id"])
    op.create_table(
        "break_glass_accesses",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_break_glass_accesses_user_expires", "break_glass_accesses", ["user_id", "expires_at"]
    )


def downgrade() -> None:
    op.drop_table("break_glass_accesses")
    op.drop_table("care_team_patients")
    op.drop_table("care_team_members")
    op.drop_table("care_teams")
