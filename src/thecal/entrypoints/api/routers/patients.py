"""``/patients``: search, register, read and amend patients (every read audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from thecal.domain.date_plausibility import BIRTH_DATE, check_date
from thecal.domain.errors import RequestInvalid
from thecal.domain.patient import Contact, DemographicsAmendment
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.patients import patient_public
from thecal.entrypoints.api.schemas.patients import (
    PatientAmend,
    PatientCreate,
    PatientPublic,
    PatientsPublic,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.patients import (
    AmendDemographics,
    GetPatient,
    RegisterPatient,
    SearchPatients,
    amend_demographics,
    get_patient,
    register_patient,
    search_patients,
)
from thecal.services.repositories.patients import MAX_SEARCH_RESULTS, PatientQuery

__all__ = ["PatientId", "router"]

router = APIRouter(prefix="/patients", tags=["patients"])

PatientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Patient id.")]


def _date(text: str | None, *, now: dt.datetime) -> dt.date | None:
    """A birth date searched for: a calendar date a patient may be born on (issue 15 §5)."""
    if text is None:
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(
            where="birth_date", detail=f"{text!r} is not a calendar date"
        ) from None
    return check_date("birth_date", value, BIRTH_DATE, today=now.astimezone(dt.UTC).date())


@router.get(
    "", response_model=PatientsPublic, summary="Search patients (MRN, name prefix, birth date)"
)
def search(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    mrn: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")] = None,
    family_name: Annotated[
        str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None,
    birth_date: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 25,
) -> PatientsPublic:
    query = PatientQuery(
        mrn=mrn,
        family_name_prefix=family_name,
        birth_date=_date(birth_date, now=thecal.clock.now()),
        limit=limit,
    )
    found = thecal.run(search_patients, SearchPatients(actor=actor, query=query))
    return PatientsPublic(items=[patient_public(p) for p in found], limit=limit)


@router.post(
    "",
    response_model=PatientPublic,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": Problem}},
    summary="Register a patient",
)
def register(body: PatientCreate, actor: CurrentActor, thecal: ThecalDep) -> PatientPublic:
    patient = thecal.run(
        register_patient,
        RegisterPatient(
            actor=actor,
            mrn=body.mrn,
            family_name=body.family_name,
            given_names=body.given_names,
            birth_date=body.birth_date,
            sex=body.sex,
            contact=Contact(phone=body.phone, email=body.email, address=body.address),
        ),
    )
    return patient_public(patient)


@router.get(
    "/{patient_id}",
    response_model=PatientPublic,
    responses={404: {"model": Problem}},
    summary="One patient (an audited read)",
)
def show(patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep) -> PatientPublic:
    return patient_public(thecal.run(get_patient, GetPatient(actor=actor, patient_id=patient_id)))


@router.patch(
    "/{patient_id}",
    response_model=PatientPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Amend demographics (optimistic: send the version you read)",
)
def amend(
    patient_id: PatientId, body: PatientAmend, actor: CurrentActor, thecal: ThecalDep
) -> PatientPublic:
    patient = thecal.run(
        amend_demographics,
        AmendDemographics(
            actor=actor,
            patient_id=patient_id,
            expected_version=body.expected_version,
            amendment=DemographicsAmendment(
                family_name=body.family_name,
                given_names=body.given_names,
                birth_date=body.birth_date,
                sex=body.sex,
            ),
        ),
    )
    return patient_public(patient)
