"""Intrathecal trials: the plan, observations, discharge, evaluation and decision.

Doses and periods come in as text with their unit (``"0.3 mg"``, ``"4 h"``); going out, each
quantity is given exactly in the unit its name ends with, plus its text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.domain.trial import Sedation, TrialDecision, TrialRoute, TrialState
from thecal.entrypoints.api.schemas.fields import (
    Flag,
    In,
    IsoInstant,
    Out,
    QuantityText,
    Whole,
    text_rule,
)
from thecal.entrypoints.api.schemas.findings import FindingPublic, OverrideIn

__all__ = [
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

_Pain = Annotated[Whole, Field(ge=0, le=10, description="NRS pain 0–10.")]


_Function = Annotated[Whole, Field(ge=0, le=100, description="Function 0–100 (higher is better).")]


_Ashworth = Annotated[Whole, Field(ge=0, le=4, description="Modified Ashworth 0–4.")]


_Spasms = Annotated[Whole, Field(ge=0, le=4, description="Penn spasm frequency 0–4.")]


class TrialBaselineIn(In):
    at: IsoInstant | None = Field(default=None, description="When scored; default now.")
    pain_nrs: _Pain | None = None
    function_score: _Function | None = None
    ashworth: _Ashworth | None = None
    spasm_frequency: _Spasms | None = None


class TrialCreate(In):
    drug_id: Annotated[str, text_rule(64, 1)] = Field(examples=["morphine"])
    dose: QuantityText = Field(description='The trial dose, e.g. "0.3 mg".', examples=["0.3 mg"])
    route: TrialRoute = TrialRoute.IT_BOLUS
    spinal_level: Annotated[str, text_rule(8, 1)] = Field(examples=["L3-L4"])
    baseline: TrialBaselineIn
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=10)


class TrialVersion(In):
    expected_version: Whole = Field(ge=1, le=1_000_000, description="The version you read.")


class VitalsIn(In):
    respiratory_rate_per_min: Whole = Field(ge=0, le=80)
    spo2_pct: Whole = Field(ge=0, le=100)
    heart_rate_per_min: Whole = Field(ge=0, le=300)
    systolic_bp_mmhg: Whole = Field(ge=0, le=300)


class TrialObservationIn(In):
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


class TrialObservationPublic(Out):
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


class TrialEvaluationPublic(Out):
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


class TrialPublic(Out):
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


class TrialsPublic(Out):
    items: list[TrialPublic]
    limit: int
    offset: int
    total: int
