"""Candidacy assessments. Doses are exact decimal strings with their unit in the field name
(``daily_dose_mcg_per_day``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.domain.candidacy import (
    CancerCategory,
    Contraindication,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
)
from thecal.entrypoints.api.schemas.fields import (
    DecimalText,
    Flag,
    In,
    Out,
    Whole,
    text_rule,
)

__all__ = [
    "CandidaciesPublic",
    "CandidacyConcernPublic",
    "CandidacyCreate",
    "CandidacyPublic",
    "CandidacyRevise",
    "MedicationIn",
    "MedicationPublic",
]


class MedicationIn(In):
    drug: Annotated[str, text_rule(100, 1)]
    daily_dose_mcg_per_day: DecimalText
    opioid: Flag


class CandidacyCreate(In):
    indication: Indication
    indication_detail: Annotated[str, text_rule(2000)] = ""
    mechanism: PainMechanism
    breadth: PainBreadth
    cancer_category: CancerCategory | None = None
    life_expectancy_months: Whole | None = Field(default=None, ge=0, le=1200)
    conservative_therapy_months: Whole = Field(ge=0, le=1200)
    oral_medication_months: Whole = Field(ge=0, le=1200)
    psych_evaluation: PsychEvaluation
    contraindications: list[Contraindication] = Field(default_factory=list, max_length=20)
    anticoagulation_plan: Annotated[str, text_rule(2000)] = ""
    medications: list[MedicationIn] = Field(default_factory=list, max_length=30)
    notes: Annotated[str, text_rule(4000)] = ""


class CandidacyRevise(CandidacyCreate):
    expected_version: Whole = Field(ge=1, le=1_000_000)


class MedicationPublic(Out):
    drug: str
    daily_dose_mcg_per_day: str
    opioid: bool


class CandidacyConcernPublic(Out):
    code: str
    message: str
    source: str


class CandidacyPublic(Out):
    id: str
    patient_id: str
    assessed_at: dt.datetime
    assessed_by: str
    indication: Indication
    indication_detail: str
    mechanism: PainMechanism
    breadth: PainBreadth
    cancer_category: int | None
    life_expectancy_months: int | None
    conservative_therapy_months: int
    oral_medication_months: int
    psych_evaluation: PsychEvaluation
    contraindications: list[str]
    anticoagulation_plan: str
    medications: list[MedicationPublic]
    total_mme_mg_per_day: str
    mme_table_id: str
    concerns: list[CandidacyConcernPublic]
    notes: str
    version: int


class CandidaciesPublic(Out):
    items: list[CandidacyPublic]
