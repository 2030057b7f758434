"""The ``pumps`` table (revision 0004): the ``Pump`` record (``services/pump_record.py``).

The admixture and the program last confirmed are canonical JSON text (``adapters/program_codec.py``).
The worklist's projected dates (revision 0005, ``services/pump_projection.py``) are written by
the pump mapper on every insert and update; with the ``(state, date)`` indexes they let every
branch of the worklist be an index range scan in due order.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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
    "pumps",
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
    # the worklist's projected dates (revision 0005)
    Column("low_reservoir_alarm_at", UtcDateTime, nullable=True),
    Column("stability_expires_at", UtcDateTime, nullable=True),
    Column("eri_at", UtcDateTime, nullable=True),
    Column("end_of_service_at", UtcDateTime, nullable=True),
    # the record follows the pump (revision 0019, domain/reservoir.py)
    Column("program_effective_from", UtcDateTime, nullable=True),  # the program's send
    Column("fill_bolus_ml", ExactDecimal, nullable=True),  # priming after the fill (S53)
    Column("sent_programs_json", Text, nullable=True),  # sent since the last interrogation
    Column("reading_at", UtcDateTime, nullable=True),  # the last interrogation's count …
    Column("reading_pump_ml", ExactDecimal, nullable=True),
    Column("reading_record_ml", ExactDecimal, nullable=True),  # … beside the record's estimate
    Column("reading_delivered_ml", ExactDecimal, nullable=True),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_pumps_state_next_refill_due", "state", "next_refill_due"),
    Index("ix_pumps_state_low_reservoir_alarm_at", "state", "low_reservoir_alarm_at"),
    Index("ix_pumps_state_stability_expires_at", "state", "stability_expires_at"),
    Index("ix_pumps_state_eri_at", "state", "eri_at"),
    Index("ix_pumps_state_end_of_service_at", "state", "end_of_service_at"),
)
