"""Pumps: the list, a pump with its program and device events, and an interrogation's result."""

from __future__ import annotations

import datetime as dt

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    Out,
)

__all__ = [
    "ComponentPublic",
    "DeviceEventPublic",
    "InterrogationPublic",
    "PatientBolusPublic",
    "ProgramPublic",
    "PumpPublic",
    "PumpSummaryPublic",
    "PumpsPublic",
    "ReservoirAnchorPublic",
    "ReservoirReadingPublic",
    "ResolvedChangePublic",
]


class ComponentPublic(Out):
    drug: str
    concentration: str = Field(description='With its unit, e.g. "25 mg/mL".')


class PatientBolusPublic(Out):
    dose: str
    duration: str
    lockout: str
    max_per_day: int


class ProgramPublic(Out):
    mode: str
    admixture: list[ComponentPublic]
    daily_dose: str = Field(description='The primary drug\'s basal daily dose, e.g. "5 mg/day".')
    flow: str = Field(
        description='Computed (dose ÷ concentration), rounded to 1 nL/day, e.g. "0.2 mL/day".'
    )
    patient_bolus: PatientBolusPublic | None
    low_reservoir_alarm_ml: str | None
    parameters: list[list[str]] = Field(
        description="Every parameter as [name, display text], in the order of the diff."
    )


class DeviceEventPublic(Out):
    at: dt.datetime
    code: str
    detail: str
    priority: str | None


class PumpSummaryPublic(Out):
    id: str
    patient_id: str
    model_id: str
    serial: str
    implanted_at: dt.datetime
    state: str
    version: int


class PumpsPublic(Out):
    items: list[PumpSummaryPublic]
    total: int
    limit: int
    offset: int


class ReservoirAnchorPublic(Out):
    source: str = Field(description='"fill" or "interrogation".')
    volume_ml: str = Field(
        description="The volume filled, or the pump's own count (rounded to 0.0001 mL)."
    )
    at: dt.datetime


class ReservoirReadingPublic(Out):
    at: dt.datetime
    pump_count_ml: str = Field(description="The pump's own count (rounded to 0.0001 mL).")
    by_record_ml: str = Field(
        description="The record's estimate just before (rounded half-even to 0.0001 mL)."
    )
    delivered_ml: str = Field(
        description="Delivered by the record since the anchor before (rounded to 0.0001 mL)."
    )
    gap_ml: str = Field(description="by_record − pump_count (rounded to 0.0001 mL).")
    band_pct: str = Field(description="The pump model's accuracy band, % of the volume delivered.")
    beyond_band: bool = Field(description="True: a reservoir-discrepancy finding on the worklist.")


class PumpPublic(Out):
    id: str
    patient_id: str
    model_id: str
    serial: str
    implanted_at: dt.datetime
    catheter_model_id: str
    catheter_length_cm: str
    catheter_tip_level: str
    admixture: list[ComponentPublic]
    program: ProgramPublic
    program_since: dt.datetime
    last_fill_volume_ml: str
    last_filled_at: dt.datetime
    program_effective_from: dt.datetime = Field(
        description=(
            "When the pump started running the program (its send); program_since is the "
            "interrogation that confirmed it."
        )
    )
    reservoir_estimate_ml: str = Field(
        description=(
            "By the record, from the real history: the anchor (the last fill, or the pump's own "
            "count at the last interrogation after it) less every program since, piecewise from "
            "its send, and every patient bolus logged since. An estimate, rounded half-even to "
            "0.0001 mL."
        )
    )
    reservoir_estimate_at: dt.datetime
    reservoir_anchor: ReservoirAnchorPublic
    reservoir_notes: list[str] = Field(
        description="The uncertainty of the estimate said (sends not yet confirmed, lost answers)."
    )
    last_reading: ReservoirReadingPublic | None = Field(
        description="The last interrogation's count beside the record's estimate just before it."
    )
    next_refill_due: dt.datetime | None
    next_refill_binding: str | None = Field(
        description="The limit that sets the next refill date, from the record's history."
    )
    next_refill_detail: str | None = Field(description="That limit's numbers and source.")
    refill_margin_days: str | None = Field(
        description="The clinic's margin before the projected low-reservoir alarm (7 by default)."
    )
    low_reservoir_alarm_at: dt.datetime | None = Field(
        description="When the reservoir by the record reaches the alarm volume, every bolus taken."
    )
    reservoir_empty_at: dt.datetime | None = Field(
        description="When the reservoir by the record runs dry, every allowed bolus taken."
    )
    alarms: list[DeviceEventPublic] = Field(description="The latest logged alarms, newest first.")
    state: str
    version: int = Field(description="Send as expected_pump_version when you change the pump.")


class ResolvedChangePublic(Out):
    id: str
    state: str


class InterrogationPublic(Out):
    pump_id: str
    serial: str
    at: dt.datetime
    program: ProgramPublic | None = Field(description="What the pump runs (null: none readable).")
    reservoir_estimate_ml: str = Field(description="The pump's count, rounded to 0.0001 mL.")
    delivered_since_refill_ml: str = Field(description="The pump's count, rounded to 0.0001 mL.")
    low_reservoir_alarm_ml: str
    delivering: bool
    alarms: list[list[str]] = Field(description="Active alarms as [code, priority].")
    battery: str
    eri_at: dt.datetime | None
    end_of_service_at: dt.datetime | None
    events: list[DeviceEventPublic] = Field(description="Events since the last interrogation.")
    patient_boluses: list[DeviceEventPublic]
    resolved_changes: list[ResolvedChangePublic] = Field(
        description="Sent program changes this interrogation settled (confirmed, not delivered…)."
    )
    pump_version: int
