"""Candidacy assessments: ``/patients/{id}/candidacy`` (list, record) and ``/candidacy/{id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.candidacy import candidacy_details, candidacy_public
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.candidacy import (
    CandidaciesPublic,
    CandidacyCreate,
    CandidacyPublic,
    CandidacyRevise,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.candidacy import (
    GetCandidacy,
    RecordCandidacy,
    ReviseCandidacy,
    get_candidacy,
    record_candidacy,
    revise_candidacy,
)

__all__ = ["router"]

router = APIRouter(tags=["candidacy"])

AssessmentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get(
    "/patients/{patient_id}/candidacy",
    response_model=CandidaciesPublic,
    summary="A patient's candidacy assessments, newest first",
)
def list_for_patient(
    patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep
) -> CandidaciesPublic:
    found = thecal.run(get_candidacy, GetCandidacy(actor=actor, patient_id=patient_id))
    return CandidaciesPublic(items=[candidacy_public(a) for a in found])


@router.post(
    "/patients/{patient_id}/candidacy",
    response_model=CandidacyPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}},
    summary="Record a candidacy assessment (MME computed with the CDC 2022 table)",
)
def record(
    patient_id: PatientId, body: CandidacyCreate, actor: CurrentActor, thecal: ThecalDep
) -> CandidacyPublic:
    assessment = thecal.run(
        record_candidacy,
        RecordCandidacy(actor=actor, patient_id=patient_id, details=candidacy_details(body)),
    )
    return candidacy_public(assessment)


@router.put(
    "/candidacy/{assessment_id}",
    response_model=CandidacyPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Revise an assessment (optimistic: send the version you read)",
)
def revise(
    assessment_id: AssessmentId, body: CandidacyRevise, actor: CurrentActor, thecal: ThecalDep
) -> CandidacyPublic:
    assessment = thecal.run(
        revise_candidacy,
        ReviseCandidacy(
            actor=actor,
            assessment_id=assessment_id,
            expected_version=body.expected_version,
            details=candidacy_details(body),
        ),
    )
    return candidacy_public(assessment)
