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
    "ActiveAlarmPublic",
    "ComponentPublic",
    "DeviceEventPublic",
    "DoseAtGlancePublic",
    "DosePointPublic",
    "InterrogationPublic",
    "LastRefillPublic",
    "PatientBolusPublic",
    "ProgramPublic",
    "PumpPublic",
    "PumpSummaryPublic",
    "PumpsPublic",
    "ReservoirAnchorPublic",
    "ReservoirPointPublic",
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


class DoseAtGlancePublic(Out):
    """Doses rounded half-even to 1 ng/day (an adjuvant's is flow × its concentration)."""

    drug: str
    concentration: str = Field(description='With its unit, e.g. "25 mg/mL".')
    daily_dose: str = Field(description='Basal, no patient bolus, e.g. "5 mg/day".')
    worst_case_daily_dose: str = Field(
        description='Basal plus every allowed patient bolus taken (max per 24 h), e.g. "5.3 mg/day".'
    )


class ActiveAlarmPublic(Out):
    code: str = Field(description='"low-reservoir", "elective-replacement", "motor-stall", ...')
    priority: str = Field(description='"high", "medium" or "low" (IEC 60601-1-8).')
    since: dt.datetime = Field(description="When the pump raised it.")
    reported_at: dt.datetime = Field(description="The interrogation that read it.")


class LastRefillPublic(Out):
    id: str
    completed_at: dt.datetime
    filled_ml: str = Field(description="The volume put in (exact).")
    expected_residual_ml: str | None = Field(
        description="The pump's count before the withdrawal (rounded to 0.0001 mL)."
    )
    withdrawn_residual_ml: str | None = Field(
        description="The residual measured (rounded to 0.0001 mL, as the refill gives it)."
    )
    discrepancy_ml: str | None = Field(description="expected − withdrawn (rounded to 0.0001 mL).")
    verdict: str | None = Field(
        description='"within", "less-withdrawn-than-expected" or "more-withdrawn-than-expected".'
    )


class ReservoirPointPublic(Out):
    at: dt.datetime
    volume_ml: str = Field(description="Rounded half-even to 0.0001 mL.")
    kind: str = Field(
        description=(
            '"withdrawn at a refill", "filled", "counted by the pump", "estimate now", '
            '"projected low-reservoir alarm" or "projected empty".'
        )
    )


class DosePointPublic(Out):
    at: dt.datetime
    daily_dose: str = Field(description="The primary drug's basal daily dose from then on.")


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
    patient_name: str = Field(description='"Family, Given" (the pump at a glance, issue 13 §1).')
    patient_mrn: str
    patient_birth_date: dt.date
    doses: list[DoseAtGlancePublic] = Field(
        description="Every drug of the admixture, the primary first: concentration and daily doses."
    )
    flow: str = Field(description="Basal flow, rounded to 1 nL/day.")
    worst_case_flow: str = Field(description="Flow with every allowed patient bolus taken.")
    last_interrogated_at: dt.datetime | None = Field(description="null: never interrogated.")
    active_alarms: list[ActiveAlarmPublic] = Field(
        description="Raised and not cleared in the pump's log, high priority first, then newest."
    )
    battery: str | None = Field(
        description=(
            'As the last interrogation reported: "ok", "elective-replacement" or '
            '"end-of-service"; null when never interrogated (not known).'
        )
    )
    eri_at: dt.datetime = Field(
        description="Projected elective replacement: implant + service life − ERI-to-stop delay."
    )
    end_of_service_at: dt.datetime = Field(description="Projected: implant + service life.")
    eri_reported_at: dt.datetime | None = Field(
        default=None,
        description=(
            "The interrogation that first read the pump's elective replacement indicator "
            "(the device log); null: never reported."
        ),
    )
    end_of_service_reported_at: dt.datetime | None = Field(
        default=None,
        description="The interrogation that first read end of service; null: never reported.",
    )
    catheter_dead_space_ml: str = Field(description="Implanted length × volume per cm (exact).")
    catheter_dead_space_confirmed: bool = Field(
        description="False: the catheter model's volume per cm is an unconfirmed placeholder."
    )
    last_refill: LastRefillPublic | None = Field(description="The last completed refill.")
    pending_changes: int | None = Field(
        description="Program changes proposed and not yet confirmed; null for a pharmacist."
    )
    reservoir_history: list[ReservoirPointPublic] = Field(
        description="The reservoir volumes the record knows, oldest first, with the projections."
    )
    dose_history: list[DosePointPublic] = Field(
        description="The basal daily dose from implant to now (empty for a pharmacist)."
    )
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
