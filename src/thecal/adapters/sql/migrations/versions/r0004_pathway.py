"""The clinical pathway: pumps, implants, program changes, spent confirmation tokens, pharmacy
verifications, refills, tasks, device events, the patient-bolus log, the pump command log and the
demo clinic clock (one row, offset 0).

Revision ID: 0004
Revises: 0003
Create Date: 2025-11-25

Generated from the pathway's tables (``adapters/sql/tables/``) by ``alembic revision --autogenerate`` and reviewed;
the metadata-agreement test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinic_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("offset_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinic_clock_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_clock")),
    )
    op.create_table(
        "pump_device_commands",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_pump_device_commands_seq_positive")),
        sa.PrimaryKeyConstraint("serial", "seq", name=op.f("pk_pump_device_commands")),
    )
    op.create_table(
        "pumps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("implant_id", sa.String(length=36), nullable=False),
        sa.Column("implanted_at", UtcDateTime(), nullable=False),
        sa.Column("catheter_model_id", sa.String(length=64), nullable=False),
        sa.Column("catheter_length_cm", ExactDecimal(), nullable=False),
        sa.Column("catheter_tip_level", sa.String(length=8), nullable=False),
        sa.Column("admixture_json", sa.Text(), nullable=False),
        sa.Column("reservoir_volume_ml", ExactDecimal(), nullable=False),
        sa.Column("last_filled_at", UtcDateTime(), nullable=False),
        sa.Column("program_json", sa.Text(), nullable=False),
        sa.Column("program_since", UtcDateTime(), nullable=False),
        sa.Column("next_refill_due", UtcDateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rng_seed", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_pumps_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_pumps_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pumps")),
        sa.UniqueConstraint("serial", name=op.f("uq_pumps_serial")),
    )
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pumps_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("due", UtcDateTime(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("completed_by", sa.String(length=36), nullable=True),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tasks_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_tasks_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_patient_id_due", ["patient_id", "due"], unique=False)

    op.create_table(
        "device_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("interrogated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pump_id"], ["pumps.id"], name=op.f("fk_device_events_pump_id_pumps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_events")),
    )
    with op.batch_alter_table("device_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_events_pump_id"), ["pump_id"], unique=False)

    op.create_table(
        "implants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("performed_at", UtcDateTime(), nullable=False),
        sa.Column("surgeon_id", sa.String(length=36), nullable=False),
        sa.Column("pump_model_id", sa.String(length=64), nullable=False),
        sa.Column("pump_serial", sa.String(length=64), nullable=False),
        sa.Column("catheter_model_id", sa.String(length=64), nullable=False),
        sa.Column("catheter_length_cm", ExactDecimal(), nullable=False),
        sa.Column("catheter_tip_level", sa.String(length=8), nullable=False),
        sa.Column("initial_fill_json", sa.Text(), nullable=False),
        sa.Column("fill_volume_ml", ExactDecimal(), nullable=False),
        sa.Column("catheter_dead_space_ml", ExactDecimal(), nullable=False),
        sa.Column("pump_internal_volume_ml", ExactDecimal(), nullable=False),
        sa.Column("priming_volume_ml", ExactDecimal(), nullable=False),
        sa.Column("initial_program_json", sa.Text(), nullable=False),
        sa.Column("monitoring_task_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_implants_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(["pump_id"], ["pumps.id"], name=op.f("fk_implants_pump_id_pumps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implants")),
    )
    with op.batch_alter_table("implants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_implants_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_bolus_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["pump_id"], ["pumps.id"], name=op.f("fk_patient_bolus_log_pump_id_pumps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_bolus_log")),
    )
    with op.batch_alter_table("patient_bolus_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_bolus_log_pump_id"), ["pump_id"], unique=False)

    op.create_table(
        "pharmacy_verifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("admixture_json", sa.Text(), nullable=False),
        sa.Column("primary_drug_id", sa.String(length=64), nullable=False),
        sa.Column("primary_concentration_mcg_per_ml", ExactDecimal(), nullable=False),
        sa.Column("volume_ml", ExactDecimal(), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("beyond_use_at", UtcDateTime(), nullable=False),
        sa.Column("verified_by", sa.String(length=36), nullable=False),
        sa.Column("verified_at", UtcDateTime(), nullable=False),
        sa.Column("used_by_refill_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_pharmacy_verifications_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_pharmacy_verifications_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["pump_id"], ["pumps.id"], name=op.f("fk_pharmacy_verifications_pump_id_pumps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_verifications")),
        sa.UniqueConstraint(
            "used_by_refill_id", name=op.f("uq_pharmacy_verifications_used_by_refill_id")
        ),
    )
    with op.batch_alter_table("pharmacy_verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pharmacy_verifications_pump_id"), ["pump_id"], unique=False
        )

    op.create_table(
        "program_changes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=36), nullable=False),
        sa.Column("proposed_at", UtcDateTime(), nullable=False),
        sa.Column("rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("diff_digest", sa.String(length=64), nullable=False),
        sa.Column("old_program_json", sa.Text(), nullable=False),
        sa.Column("new_program_json", sa.Text(), nullable=False),
        sa.Column("findings_json", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(length=36), nullable=True),
        sa.Column("co_signed_by", sa.String(length=36), nullable=True),
        sa.Column("overrides_json", sa.Text(), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "co_signed_by IS NULL OR (signed_by IS NOT NULL AND co_signed_by <> signed_by)",
            name=op.f("ck_program_changes_two_distinct_signers"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_program_changes_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_program_changes_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["pump_id"], ["pumps.id"], name=op.f("fk_program_changes_pump_id_pumps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_changes")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_program_changes_idempotency_key")),
    )
    with op.batch_alter_table("program_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_changes_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_changes_pump_id"), ["pump_id"], unique=False)

    op.create_table(
        "refills",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pump_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("verification_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("ordered_admixture_json", sa.Text(), nullable=False),
        sa.Column("ordered_volume_ml", ExactDecimal(), nullable=False),
        sa.Column("last_fill_volume_ml", ExactDecimal(), nullable=True),
        sa.Column("expected_residual_ml", ExactDecimal(), nullable=True),
        sa.Column("measured_residual_ml", ExactDecimal(), nullable=True),
        sa.Column("discrepancy_ml", ExactDecimal(), nullable=True),
        sa.Column("threshold_ml", ExactDecimal(), nullable=True),
        sa.Column("band_pct", ExactDecimal(), nullable=True),
        sa.Column("verdict", sa.String(length=40), nullable=True),
        sa.Column("test_volume_ml", ExactDecimal(), nullable=True),
        sa.Column("reservoir_volume_ml", ExactDecimal(), nullable=True),
        sa.Column("next_refill_due", UtcDateTime(), nullable=True),
        sa.Column("refill_binding", sa.String(length=40), nullable=True),
        sa.Column("checklist_json", sa.Text(), nullable=True),
        sa.Column("halt_reason", sa.Text(), nullable=True),
        sa.Column("findings_json", sa.Text(), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_refills_version_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_refills_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(["pump_id"], ["pumps.id"], name=op.f("fk_refills_pump_id_pumps")),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["pharmacy_verifications.id"],
            name=op.f("fk_refills_verification_id_pharmacy_verifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refills")),
        sa.UniqueConstraint(
            "pump_id", "idempotency_key", name=op.f("uq_refills_pump_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("refills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refills_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "ix_refills_pump_id_opened_at", ["pump_id", "opened_at"], unique=False
        )

    op.create_table(
        "used_confirmation_tokens",
        sa.Column("token_id", sa.String(length=100), nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["program_changes.id"],
            name=op.f("fk_used_confirmation_tokens_change_id_program_changes"),
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_used_confirmation_tokens")),
    )
    op.execute(sa.text("INSERT INTO clinic_clock (id, offset_us) VALUES (1, 0)"))


def downgrade() -> None:
    op.drop_table("used_confirmation_tokens")
    with op.batch_alter_table("refills", schema=None) as batch_op:
        batch_op.drop_index("ix_refills_pump_id_opened_at")
        batch_op.drop_index(batch_op.f("ix_refills_patient_id"))

    op.drop_table("refills")
    with op.batch_alter_table("program_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_changes_pump_id"))
        batch_op.drop_index(batch_op.f("ix_program_changes_patient_id"))

    op.drop_table("program_changes")
    with op.batch_alter_table("pharmacy_verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pharmacy_verifications_pump_id"))

    op.drop_table("pharmacy_verifications")
    with op.batch_alter_table("patient_bolus_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_bolus_log_pump_id"))

    op.drop_table("patient_bolus_log")
    with op.batch_alter_table("implants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_implants_patient_id"))

    op.drop_table("implants")
    with op.batch_alter_table("device_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_events_pump_id"))

    op.drop_table("device_events")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_patient_id_due")

    op.drop_table("tasks")
    with op.batch_alter_table("pumps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pumps_patient_id"))

    op.drop_table("pumps")
    op.drop_table("pump_device_commands")
    op.drop_table("clinic_clock")
