"""Tables of the intrathecal trial (revision 0005): ``trials`` and ``trial_observations`` (one row
per time point, in order).

Unit-bearing column names (``dose_mcg``, ``observation_period_s``); the transition history is
JSON text (``history_json``), as for program changes and refills.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from thecal.adapters.sql.tables.column_types import ExactDecimal, UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "trial_observations",
    "trials",
]

trials = Table(
    "trials",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), ForeignKey("patients.id"), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("drug_id", String(64), nullable=False),
    Column("drug_class", String(40), nullable=False),
    Column("dose_mcg", ExactDecimal, nullable=False),
    Column("route", String(16), nullable=False),
    Column("spinal_level", String(8), nullable=False),
    Column("observation_period_s", ExactDecimal, nullable=False),
    Column("observation_source", String(100), nullable=False),
    Column("baseline_json", Text, nullable=False),
    Column("planned_by", String(36), nullable=False),
    Column("planned_at", UtcDateTime, nullable=False),
    Column("administered_at", UtcDateTime, nullable=True),
    Column("discharged_at", UtcDateTime, nullable=True),
    Column("decision", String(16), nullable=True),
    Column("decision_rationale", Text, nullable=True),
    Column("evaluation_json", Text, nullable=True),
    Column("findings_json", Text, nullable=False),  # the safety review of the plan
    Column("history_json", Text, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    # the worklist: trials awaiting a decision, by discharge time
    Index("ix_trials_state_discharged_at", "state", "discharged_at"),
)


trial_observations = Table(
    "trial_observations",
    metadata,
    Column("trial_id", String(36), ForeignKey("trials.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("pain_nrs", Integer, nullable=True),
    Column("function_score", Integer, nullable=True),
    Column("function_note", Text, nullable=False, server_default=""),
    Column("respiratory_rate_per_min", Integer, nullable=True),
    Column("spo2_pct", Integer, nullable=True),
    Column("heart_rate_per_min", Integer, nullable=True),
    Column("systolic_bp_mmhg", Integer, nullable=True),
    Column("sedation_poss", String(2), nullable=True),
    Column("ashworth", Integer, nullable=True),
    Column("spasm_frequency", Integer, nullable=True),
    Column("side_effects_json", Text, nullable=False),
    Column("intolerable", Boolean, nullable=False),
    CheckConstraint("seq >= 1", name="seq_positive"),
)
