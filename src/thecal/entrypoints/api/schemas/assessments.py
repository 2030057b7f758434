"""Assessments: an instrument's answers, and its scores as recorded."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
)

from thecal.domain.instruments import Instrument
from thecal.entrypoints.api.schemas.fields import (
    In,
    IsoDate,
    Out,
    RecordId,
    Whole,
)

__all__ = [
    "AssessmentCreate",
    "AssessmentPublic",
    "AssessmentsPublic",
]

_Answer = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


class AssessmentCreate(In):
    instrument: Instrument
    answers: dict[_Answer, Annotated[Whole, Field(ge=-1000, le=1000)] | None] = Field(
        max_length=40, description="Answers by item key; null or absent is unanswered."
    )
    assessed_on: IsoDate
    procedure_id: RecordId | None = None


class AssessmentPublic(Out):
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


class AssessmentsPublic(Out):
    items: list[AssessmentPublic]
    limit: int
    offset: int
    total: int
