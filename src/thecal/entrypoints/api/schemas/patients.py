"""Patients: registration, amended demographics, the record and search results."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.domain.patient import Sex
from thecal.entrypoints.api.schemas.fields import (
    In,
    IsoDate,
    Out,
    Whole,
    text_rule,
)

__all__ = [
    "PatientAmend",
    "PatientCreate",
    "PatientPublic",
    "PatientsPublic",
]


class PatientCreate(In):
    mrn: Annotated[str, text_rule(40, 1)]
    family_name: Annotated[str, text_rule(100, 1)]
    given_names: Annotated[str, text_rule(100, 1)]
    birth_date: IsoDate
    sex: Sex
    phone: Annotated[str, text_rule(40)] = ""
    email: Annotated[str, text_rule(200)] = ""
    address: Annotated[str, text_rule(400)] = ""


class PatientAmend(In):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    family_name: Annotated[str, text_rule(100, 1)] | None = None
    given_names: Annotated[str, text_rule(100, 1)] | None = None
    birth_date: IsoDate | None = None
    sex: Sex | None = None


class PatientPublic(Out):
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


class PatientsPublic(Out):
    items: list[PatientPublic]
    limit: int
