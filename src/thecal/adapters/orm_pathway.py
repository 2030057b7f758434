"""Tables of the clinical pathway (revision ``0002``): pumps, implants, program changes, spent
confirmation tokens, pharmacy verifications, refills, tasks, device events, the patient-bolus log,
the pump command log and the clinic clock.

Defined on the shared :data:`thecal.adapters.orm.metadata` (``orm.py`` imports this module at its
end, so the metadata is complete wherever ``orm`` is imported). Conventions as in ``orm.py``:
unit-bearing column names, :class:`ExactDecimal` for quantities, :class:`UtcDateTime` for instants,
``version`` with ``CHECK (version >= 1)`` on every aggregate. Programs and admixtures are canonical
JSON text (``adapters/program_codec.py``); aggregate history and findings are JSON text too.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from thecal.adapters.orm import ExactDecimal, UtcDateTime, metadata

__all__ = [
    "PATHWAY_TABLES",
    "clinic_clock",
    "device_events",
    "implants",
    "patient_bolus_log",
    "pharmacy_verifications",
    "program_changes",
    "pump_device_commands",
    "pumps",
    "refills",
    "tasks",
    "used_confirmation_tokens",
]

pumps = Table(
    "pumps",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("model_id", String(64), nullable=False),
    Column("serial", String(64), nullable=False, unique=True),
    Column("implant_id", String(36), nullable=False),
    Column("implanted_at", UtcDateTime, nullable=False),
    Column("catheter_model_id", String(64), nullable=False),
    Column("catheter_length_cm", ExactDecimal, nullable=False),
    Column("catheter_tip_level", String(8), nullable=False),
    Column("admixture_json", Text, nullable=False),
    Column("reservoir_volume_ml", ExactDecimal, nullable=False),
    Column("last_filled_at", UtcDateTime, nullable=False),
    Column("program_json", Text, nullable=False),
    Column("program_since", UtcDateTime, nullable=False),  # when that program was confirmed
    Column("next_refill_due", UtcDateTime, nullable=True),
    Column("state", String(16), nullable=False),
    Column("rng_seed", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)

implants = Table(
    "implants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False),
    Column("performed_at", UtcDateTime, nullable=False),
    Column("surgeon_id", String(36), nullable=False),
    Column("pump_model_id", String(64), nullable=False),
    Column("pump_serial", String(64), nullable=False),
    Column("catheter_model_id", String(64), nullable=False),
    Column("catheter_length_cm", ExactDecimal, nullable=False),
    Column("catheter_tip_level", String(8), nullable=False),
    Column("initial_fill_json", Text, nullable=False),
    Column("fill_volume_ml", ExactDecimal, nullable=False),
    Column("catheter_dead_space_ml", ExactDecimal, nullable=False),
    Column("pump_internal_volume_ml", ExactDecimal, nullable=False),
    Column("priming_volume_ml", ExactDecimal, nullable=False),
    Column("initial_program_json", Text, nullable=False),
    Column("monitoring_task_json", Text, nullable=False),
)

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
)

used_confirmation_tokens = Table(
    "used_confirmation_tokens",
    metadata,
    Column("token_id", String(100), primary_key=True),
    Column("change_id", String(36), ForeignKey("program_changes.id"), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("used_at", UtcDateTime, nullable=False),
)

pharmacy_verifications = Table(
    "pharmacy_verifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("admixture_json", Text, nullable=False),
    Column("primary_drug_id", String(64), nullable=False),
    Column("primary_concentration_mcg_per_ml", ExactDecimal, nullable=False),
    Column("volume_ml", ExactDecimal, nullable=False),
    Column("lot", String(64), nullable=False),
    Column("beyond_use_at", UtcDateTime, nullable=False),
    Column("verified_by", String(36), nullable=False),
    Column("verified_at", UtcDateTime, nullable=False),
    Column("used_by_refill_id", String(36), nullable=True, unique=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)

refills = Table(
    "refills",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("idempotency_key", String(100), nullable=False),
    Column("verification_id", String(36), ForeignKey("pharmacy_verifications.id"), nullable=True),
    Column("state", String(24), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("ordered_admixture_json", Text, nullable=False),
    Column("ordered_volume_ml", ExactDecimal, nullable=False),
    Column("last_fill_volume_ml", ExactDecimal, nullable=True),
    Column("expected_residual_ml", ExactDecimal, nullable=True),
    Column("measured_residual_ml", ExactDecimal, nullable=True),
    Column("discrepancy_ml", ExactDecimal, nullable=True),
    Column("threshold_ml", ExactDecimal, nullable=True),
    Column("band_pct", ExactDecimal, nullable=True),
    Column("verdict", String(40), nullable=True),
    Column("test_volume_ml", ExactDecimal, nullable=True),
    Column("reservoir_volume_ml", ExactDecimal, nullable=True),
    Column("next_refill_due", UtcDateTime, nullable=True),
    Column("refill_binding", String(40), nullable=True),
    Column("checklist_json", Text, nullable=True),
    Column("halt_reason", Text, nullable=True),
    Column("findings_json", Text, nullable=False),  # the safety review's refill findings
    Column("state_json", Text, nullable=False),  # label, verifier, tasks, history
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    UniqueConstraint("pump_id", "idempotency_key"),
    Index("ix_refills_pump_id_opened_at", "pump_id", "opened_at"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False),
    Column("origin", String(36), nullable=False),
    Column("due", UtcDateTime, nullable=False),
    Column("not_before", UtcDateTime, nullable=True),
    Column("reason", Text, nullable=False),
    Column("source", String(200), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_by", String(36), nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("completed_how", String(32), nullable=True),  # domain/tasks.py TaskClosure
    Column("completion_note", Text, nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(state = 'open' AND completed_how IS NULL)"
        " OR (state = 'done' AND completed_how IS NOT NULL)",
        name="closure_matches_state",
    ),
    Index("ix_tasks_patient_id_due", "patient_id", "due"),
)

device_events = Table(
    "device_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("code", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("priority", String(16), nullable=True),
    Column("interrogated_at", UtcDateTime, nullable=False),
)

patient_bolus_log = Table(
    "patient_bolus_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pump_id", String(36), ForeignKey("pumps.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("uncertain", Boolean, nullable=False),
    Column("source", String(16), nullable=False),
)

# Every command that reached a pump, numbered per serial. For the twin this log IS the device's
# memory: the twin is rebuilt by deterministic replay (adapters/twin_store.py).
pump_device_commands = Table(
    "pump_device_commands",
    metadata,
    Column("serial", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload_json", Text, nullable=False),
    CheckConstraint("seq >= 1", name="seq_positive"),
)

# One row (id = 1): the demo clinic clock's offset from system time, in microseconds.
clinic_clock = Table(
    "clinic_clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("offset_us", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

PATHWAY_TABLES = (
    "pumps",
    "implants",
    "program_changes",
    "used_confirmation_tokens",
    "pharmacy_verifications",
    "refills",
    "tasks",
    "device_events",
    "patient_bolus_log",
    "pump_device_commands",
    "clinic_clock",
)

# The worklist's projected dates and due-order indexes on these tables (revision 0005).
from thecal.adapters import orm_worklist as _orm_worklist  # noqa: E402, F401
