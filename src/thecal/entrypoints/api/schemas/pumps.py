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
    flow: str
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
    reservoir_estimate_ml: str = Field(
        description=(
            "By the record: the last fill less the recorded basal flow since (no boluses, no "
            "device error). Interrogate for the pump's own count."
        )
    )
    reservoir_estimate_at: dt.datetime
    next_refill_due: dt.datetime | None
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
    reservoir_estimate_ml: str
    delivered_since_refill_ml: str
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
