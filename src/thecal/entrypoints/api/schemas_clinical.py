"""Pydantic DTOs for patients and candidacy. Doses are exact decimal strings with their unit in
the field name (``daily_dose_mcg_per_day``); nothing here is a float."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from thecal.domain.candidacy import (
    CancerCategory,
    Contraindication,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
)
from thecal.domain.patient import Sex
from thecal.entrypoints.api.schemas import Flag, IsoDate, Whole, text_rule

__all__ = [
    "CandidaciesPublic",
    "CandidacyConcernPublic",
    "CandidacyCreate",
    "CandidacyPublic",
    "CandidacyRevise",
    "DecimalText",
    "MedicationIn",
    "MedicationPublic",
    "PatientAmend",
    "PatientCreate",
    "PatientPublic",
    "PatientsPublic",
]

DecimalText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientCreate(_In):
    mrn: Annotated[str, text_rule(40, 1)]
    family_name: Annotated[str, text_rule(100, 1)]
    given_names: Annotated[str, text_rule(100, 1)]
    birth_date: IsoDate
    sex: Sex
    phone: Annotated[str, text_rule(40)] = ""
    email: Annotated[str, text_rule(200)] = ""
    address: Annotated[str, text_rule(400)] = ""


class PatientAmend(_In):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    family_name: Annotated[str, text_rule(100, 1)] | None = None
    given_names: Annotated[str, text_rule(100, 1)] | None = None
    birth_date: IsoDate | None = None
    sex: Sex | None = None


class PatientPublic(_Out):
    id: str
    mrn: str
    family_name: str
    given_names: str
    birth_date: dt.date
    sex: Sex
    phone: str
    email: str
    address: str
    registered_at: dt.datetime
    version: int


class PatientsPublic(_Out):
    items: list[PatientPublic]
    limit: int


class MedicationIn(_In):
    drug: Annotated[str, text_rule(100, 1)]
    daily_dose_mcg_per_day: DecimalText
    opioid: Flag


class CandidacyCreate(_In):
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


class MedicationPublic(_Out):
    drug: str
    daily_dose_mcg_per_day: str
    opioid: bool


class CandidacyConcernPublic(_Out):
    code: str
    message: str
    source: str


class CandidacyPublic(_Out):
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


class CandidaciesPublic(_Out):
    items: list[CandidacyPublic]
