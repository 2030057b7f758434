"""Trials (with observations) and MRI plans; the worklist's projected dates on ``pumps`` and the
composite indexes every worklist branch reads in due order.

Revision ID: 0005
Revises: 0004
Create Date: 2025-11-26

Written to match ``adapters/sql/tables/`` (trials, MRI plans, the worklist's columns and
indexes); the metadata-agreement test keeps them equal. Existing pumps get their projected dates
computed once here (the pump mapper keeps them current afterwards).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROJECTION = ("low_reservoir_alarm_at", "stability_expires_at", "eri_at", "end_of_service_at")
_PUMP_INDEXES = ("next_refill_due", *_PROJECTION)


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("drug_id", sa.String(length=64), nullable=False),
        sa.Column("drug_class", sa.String(length=40), nullable=False),
        sa.Column("dose_mcg", ExactDecimal(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("spinal_level", sa.String(length=8), nullable=False),
        sa.Column("observation_period_s", ExactDecimal(), nullable=False),
        sa.Column("observation_source", sa.String(length=100), nullable=False),
        sa.Column("baseline_json", sa.Text(), nullable=False),
        sa.Column("planned_by", sa.String(length=36), nullable=False),
        sa.Column("planned_at", UtcDateTime(), nullable=False),
        sa.Column("administered_at", UtcDateTime(), nullable=True),
        sa.Column("discharged_at", UtcDateTime(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_rationale", sa.Text(), nullable=True),
        sa.Column("evaluation_json", sa.Text(), nullable=True),
        sa.Column("findings_json", sa.Text(), nullable=False),
        sa.Column("history_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_trials_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_trials_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
    )
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trials_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "ix_trials_state_discharged_at", ["state", "discharged_at"], unique=False
        )

    op.create_table(
        "trial_observations",
        sa.Column("trial_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("pain_nrs", sa.Integer(), nullable=True),
        sa.Column("function_score", sa.Integer(), nullable=True),
        sa.Column("function_note", sa.Text(), server_default="", nullable=False),
        sa.Column("respiratory_rate_per_min", sa.Integer(), nullable=True),
        sa.Column("spo2_pct", sa.Integer(), nullable=True),
        sa.Column("heart_rate_per_min", sa.Integer(), nullable=True),
        sa.Column("systolic_bp_mmhg", sa.Integer(), nullable=True),
        sa.Column("sedation_poss", sa.String(length=2), nullable=True),
        sa.Column("ashworth", sa.Integer(), nullable=True),
        sa.Column("spasm_frequency", sa.Integer(), nullable=True),
        sa.Column("side_effects_json", sa.Text(), nullable=False),
        sa.Column("intolerable", sa.Boolean(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_trial_observations_seq_positive")),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_trial_observations_trial_id_trials")
        ),
        sa.PrimaryKeyConstraint("trial_id", "seq", name=op.f("pk_trial_observations")),
    )

    op.create_table(
        "mri_plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("pump_model_id", sa.String(length=64), nullable=False),
        sa.Column("pump_serial", sa.String(length=64), nullable=False),
        sa.Column("scan_at", UtcDateTime(), nullable=False),
        sa.Column("field_strength_t", ExactDecimal(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("emptied_volume_ml", ExactDecimal(), nullable=True),
        sa.Column("emptied_at", UtcDateTime(), nullable=True),
        sa.Column("scanned_at", UtcDateTime(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("task_json", sa.Text(), nullable=True),
        sa.Column("history_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_mri_plans_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_mri_plans_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(["pump_id"], ["pumps.id"], name=op.f("fk_mri_plans_pump_id_pumps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mri_plans")),
    )
    with op.batch_alter_table("mri_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mri_plans_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mri_plans_pump_id"), ["pump_id"], unique=False)

    with op.batch_alter_table("pumps", schema=None) as batch_op:
        for name in _PROJECTION:
            batch_op.add_column(sa.Column(name, UtcDateTime(), nullable=True))
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        for name in _PUMP_INDEXES:
            batch_op.create_index(f"ix_pumps_state_{name}", ["state", name], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_state_due", ["state", "due"], unique=False)
    with op.batch_alter_table("program_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_program_changes_state_proposed_at", ["state", "proposed_at"], unique=False
        )
    with op.batch_alter_table("device_events", schema=None) as batch_op:
        batch_op.create_index("ix_device_events_code_at", ["code", "at"], unique=False)
    _backfill_projections()


def _backfill_projections() -> None:
    """Project the worklist dates of pumps recorded before this revision."""
    from thecal.adapters.sql.mappers.pumps import pump_from_row, pump_to_row  # noqa: PLC0415
    from thecal.adapters.sql.tables.pumps import pumps  # noqa: PLC0415 - the live table, after DDL

    bind = op.get_bind()
    # the live table may have columns later revisions add (0019): read only those there now
    present = {column["name"] for column in sa.inspect(bind).get_columns("pumps")}
    columns = [c for c in pumps.c if c.name in present and c.name not in _PROJECTION]
    for row in bind.execute(sa.select(*columns)).mappings().all():
        values = pump_to_row(pump_from_row(row))
        bind.execute(
            sa.update(pumps)
            .where(pumps.c.id == row["id"])
            .values({name: values[name] for name in _PROJECTION})
        )


def downgrade() -> None:
    with op.batch_alter_table("device_events", schema=None) as batch_op:
        batch_op.drop_index("ix_device_events_code_at")
    with op.batch_alter_table("program_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_program_changes_state_proposed_at")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_state_due")
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        for name in _PUMP_INDEXES:
            batch_op.drop_index(f"ix_pumps_state_{name}")
    # In place (ALTER TABLE … DROP COLUMN, SQLite ≥ 3.35), not a batch rebuild: rebuilding
    # pumps drops the table, which foreign keys from implants, refills … refuse once it holds
    # rows (found by the migration walk, tests/integration/migrations/).
    for name in _PROJECTION:
        op.drop_column("pumps", name)
    with op.batch_alter_table("mri_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mri_plans_pump_id"))
        batch_op.drop_index(batch_op.f("ix_mri_plans_patient_id"))
    op.drop_table("mri_plans")
    op.drop_table("trial_observations")
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_index("ix_trials_state_discharged_at")
        batch_op.drop_index(batch_op.f("ix_trials_patient_id"))
    op.drop_table("trials")
