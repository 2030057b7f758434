"""Pydantic DTOs for the clinical pathway: trials, implants, assessments, procedures and MRI.

Quantities come in as text with their unit (``"0.3 mg"``, ``"25 mg/mL"``, ``"5 mg/day"``,
``"20 mL"``, ``"4 h"``) and are read by the strict parser (``domain/quantity_text.py``), so a naked
decimal, a missing unit or a mass where a concentration is due is refused with its own
``THC-QTY-*`` code. Plain numbers carry their unit in the field name (``catheter_length_cm``,
``field_strength_t``) and are exact decimal strings; nothing here is a float. Going out, each
quantity is given exactly in the unit its name ends with, plus its text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from thecal.domain.instruments import Instrument
from thecal.domain.mri import MriState
from thecal.domain.procedure import MAX_INDICATION_LENGTH, ProcedureKind
from thecal.domain.trial import Sedation, TrialDecision, TrialRoute, TrialState
from thecal.entrypoints.api.schemas import (
    FindingPublic,
    Flag,
    IsoDate,
    IsoInstant,
    OverrideIn,
    Whole,
    text_rule,
)
from thecal.entrypoints.api.schemas_clinical import DecimalText

__all__ = [
    "AdmixtureComponentIn",
    "AssessmentCreate",
    "AssessmentPublic",
    "AssessmentsPublic",
    "FindingPublic",
    "ImplantCreate",
    "ImplantPublic",
    "MriEmptying",
    "MriPlanCreate",
    "MriPlanPublic",
    "OverrideIn",
    "PatientBolusIn",
    "PlannedTaskPublic",
    "ProcedureCreate",
    "ProcedurePublic",
    "ProceduresPublic",
    "QuantityText",
    "TrialBaselineIn",
    "TrialCreate",
    "TrialDecide",
    "TrialDetailPublic",
    "TrialEvaluationPublic",
    "TrialObservationIn",
    "TrialObservationPublic",
    "TrialPublic",
    "TrialVersion",
    "TrialsPublic",
    "VitalsIn",
]

#: A quantity with its unit, for the strict parser (``"0.5 mL"``, ``"25 mg/mL"``).
QuantityText = Annotated[str, text_rule(40, 1)]
#: A record id as the database stores it (UUID text).
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,36}$")]
_Answer = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]

_Pain = Annotated[Whole, Field(ge=0, le=10, description="NRS pain 0–10.")]
_Function = Annotated[Whole, Field(ge=0, le=100, description="Function 0–100 (higher is better).")]
_Ashworth = Annotated[Whole, Field(ge=0, le=4, description="Modified Ashworth 0–4.")]
_Spasms = Annotated[Whole, Field(ge=0, le=4, description="Penn spasm frequency 0–4.")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- trials


class TrialBaselineIn(_In):
    at: IsoInstant | None = Field(default=None, description="When scored; default now.")
    pain_nrs: _Pain | None = None
    function_score: _Function | None = None
    ashworth: _Ashworth | None = None
    spasm_frequency: _Spasms | None = None


class TrialCreate(_In):
    drug_id: Annotated[str, text_rule(64, 1)] = Field(examples=["morphine"])
    dose: QuantityText = Field(description='The trial dose, e.g. "0.3 mg".', examples=["0.3 mg"])
    route: TrialRoute = TrialRoute.IT_BOLUS
    spinal_level: Annotated[str, text_rule(8, 1)] = Field(examples=["L3-L4"])
    baseline: TrialBaselineIn
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=10)


class TrialVersion(_In):
    expected_version: Whole = Field(ge=1, le=1_000_000, description="The version you read.")


class VitalsIn(_In):
    respiratory_rate_per_min: Whole = Field(ge=0, le=80)
    spo2_pct: Whole = Field(ge=0, le=100)
    heart_rate_per_min: Whole = Field(ge=0, le=300)
    systolic_bp_mmhg: Whole = Field(ge=0, le=300)


class TrialObservationIn(_In):
    at: IsoInstant | None = Field(default=None, description="When observed; default now.")
    pain_nrs: _Pain | None = None
    function_score: _Function | None = None
    function_note: Annotated[str, text_rule(2000)] = ""
    vitals: VitalsIn | None = None
    sedation: Sedation | None = Field(default=None, description="POSS: S, 1–4.")
    ashworth: _Ashworth | None = None
    spasm_frequency: _Spasms | None = None
    side_effects: list[Annotated[str, text_rule(200, 1)]] = Field(
        default_factory=list, max_length=20
    )
    intolerable: Flag = False


class TrialDecide(TrialVersion):
    decision: TrialDecision
    rationale: Annotated[str, text_rule(4000, 1)]
    readout_at: IsoInstant | None = Field(
        default=None, description="The observation to read pain at; default the best."
    )
    prior_successful_occasions: Whole = Field(default=0, ge=0, le=10)


class TrialObservationPublic(_Out):
    at: dt.datetime
    pain_nrs: int | None
    function_score: int | None
    function_note: str
    respiratory_rate_per_min: int | None
    spo2_pct: int | None
    heart_rate_per_min: int | None
    systolic_bp_mmhg: int | None
    sedation: Sedation | None
    ashworth: int | None
    spasm_frequency: int | None
    side_effects: list[str]
    intolerable: bool


class TrialEvaluationPublic(_Out):
    criterion: str
    readout_at: dt.datetime | None
    pain_reduction_pct: str | None
    function_change: int | None
    spasticity_improvement: int | None
    sustained_for_hours: str | None
    intolerable_side_effects: list[str]
    met_this_occasion: bool
    successful_occasions: int
    success: bool
    reasons: list[str]


class TrialPublic(_Out):
    id: str
    patient_id: str
    state: TrialState
    version: int
    drug_id: str
    dose: str = Field(description='The dose as text, e.g. "300 mcg".')
    dose_mcg: str
    route: TrialRoute
    spinal_level: str
    observation_period_hours: str
    observation_source: str
    criterion: str
    baseline_at: dt.datetime
    baseline_pain_nrs: int | None
    baseline_function_score: int | None
    baseline_ashworth: int | None
    baseline_spasm_frequency: int | None
    planned_by: str
    administered_at: dt.datetime | None
    observations: list[TrialObservationPublic]
    discharged_at: dt.datetime | None
    decision: TrialDecision | None
    decision_rationale: str | None
    evaluation: TrialEvaluationPublic | None


class TrialDetailPublic(TrialPublic):
    findings: list[FindingPublic] = Field(description="The safety review of the plan.")


class TrialsPublic(_Out):
    items: list[TrialPublic]
    limit: int
    offset: int
    total: int


# ----------------------------------------------------------------------------- implants


class AdmixtureComponentIn(_In):
    drug_id: Annotated[str, text_rule(64, 1)] = Field(examples=["morphine"])
    concentration: QuantityText = Field(examples=["25 mg/mL"])


class PatientBolusIn(_In):
    dose: QuantityText = Field(examples=["0.1 mg"])
    duration: QuantityText = Field(examples=["10 min"])
    lockout: QuantityText = Field(examples=["4 h"])
    max_per_day: Whole = Field(ge=1, le=100)


class ImplantCreate(_In):
    pump_model_id: Annotated[str, text_rule(64, 1)] = Field(examples=["synchromed-ii-20"])
    pump_serial: Annotated[str, text_rule(64, 1)]
    catheter_model_id: Annotated[str, text_rule(64, 1)] = Field(examples=["indura-1p-8709sc"])
    catheter_length_cm: DecimalText = Field(examples=["60"])
    catheter_tip_level: Annotated[str, text_rule(8, 1)] = Field(examples=["T10"])
    admixture: list[AdmixtureComponentIn] = Field(
        min_length=1, max_length=4, description="The fill; the first component is the primary drug."
    )
    fill_volume: QuantityText = Field(examples=["20 mL"])
    daily_dose: QuantityText = Field(
        description="The primary drug's initial continuous daily dose.", examples=["5 mg/day"]
    )
    patient_bolus: PatientBolusIn | None = None


class ImplantPublic(_Out):
    pump_id: str
    implant_id: str
    patient_id: str
    pump_model_id: str
    serial: str
    implanted_at: dt.datetime
    catheter_model_id: str
    catheter_length_cm: str
    catheter_tip_level: str
    admixture: str
    fill_volume_ml: str
    daily_dose_mcg_per_day: str
    priming_volume_ml: str = Field(description="Volume of the priming bolus the pump gave.")
    program_ack: str = Field(description="acknowledged, or uncertain (interrogate the pump).")
    pump_version: int


# ----------------------------------------------------------------------------- assessments


class AssessmentCreate(_In):
    instrument: Instrument
    answers: dict[_Answer, Annotated[Whole, Field(ge=-1000, le=1000)] | None] = Field(
        max_length=40, description="Answers by item key; null or absent is unanswered."
    )
    assessed_on: IsoDate
    procedure_id: RecordId | None = None


class AssessmentPublic(_Out):
    id: str
    patient_id: str
    instrument: Instrument
    answers: dict[str, int | None]
    scores: dict[str, str | None]
    pain_nrs: str | None
    odi_percent: str | None
    pgic: int | None = Field(description="PGIC category, the number on the form (1–7).")
    eq_vas: int | None
    assessed_on: dt.date
    procedure_id: str | None
    days_after_procedure: int | None
    recorded_by: str
    recorded_at: dt.datetime
    version: int


class AssessmentsPublic(_Out):
    items: list[AssessmentPublic]
    limit: int
    offset: int
    total: int


# ----------------------------------------------------------------------------- procedures


class ProcedureCreate(_In):
    kind: ProcedureKind
    performed_on: IsoDate
    indication: Annotated[str, text_rule(MAX_INDICATION_LENGTH, 1)] = Field(examples=["L-RAD"])
    performer_id: RecordId | None = Field(default=None, description="Default: you.")
    source_record_id: RecordId | None = None
    notes: Annotated[str, text_rule(2000)] = ""


class ProcedurePublic(_Out):
    id: str
    patient_id: str
    kind: ProcedureKind
    performed_on: dt.date
    indication: str
    performer_id: str
    recorded_by: str
    recorded_at: dt.datetime
    source_record_id: str | None
    notes: str
    version: int


class ProceduresPublic(_Out):
    items: list[ProcedurePublic]
    limit: int
    offset: int
    total: int


# ----------------------------------------------------------------------------- MRI


class MriPlanCreate(_In):
    scan_at: IsoInstant
    field_strength_t: DecimalText = Field(examples=["1.5"])


class MriEmptying(_In):
    expected_pump_version: Whole = Field(
        ge=1, le=1_000_000, description="The pump version you read."
    )


class PlannedTaskPublic(_Out):
    kind: str
    due: dt.datetime
    not_before: dt.datetime | None
    reason: str
    source: str
    priority: str


class MriPlanPublic(_Out):
    id: str
    patient_id: str
    pump_model_id: str
    pump_serial: str
    scan_at: dt.datetime
    field_strength_t: str
    state: MriState
    version: int
    emptying_required: bool
    emptied_volume_ml: str | None
    emptied_at: dt.datetime | None
    scanned_at: dt.datetime | None
    post_mri_task: PlannedTaskPublic | None
