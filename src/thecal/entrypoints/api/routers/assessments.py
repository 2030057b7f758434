"""``/patients/{id}/assessments``: record an instrument's answers (scored) and list them.

A clinician records for any patient; a patient user only for themselves (their pain diary and
questionnaires) — the policy decides. A refused answer keeps its ``THC-PRO-*`` code.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.assessments import assessment_public
from thecal.entrypoints.api.presenters.paging import page
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.assessments import (
    AssessmentCreate,
    AssessmentPublic,
    AssessmentsPublic,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.assessments import (
    ListAssessments,
    RecordAssessment,
    list_assessments,
    record_assessment,
)

__all__ = ["router"]

router = APIRouter(tags=["assessments"])


@router.get(
    "/patients/{patient_id}/assessments",
    response_model=AssessmentsPublic,
    summary="A patient's assessments, oldest first (an audited read)",
)
def list_for_patient(
    patient_id: PatientId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AssessmentsPublic:
    found = thecal.run(list_assessments, ListAssessments(actor=actor, patient_id=patient_id))
    return AssessmentsPublic(
        items=[assessment_public(a) for a in page(found, limit=limit, offset=offset)],
        limit=limit,
        offset=offset,
        total=len(found),
    )


@router.post(
    "/patients/{patient_id}/assessments",
    response_model=AssessmentPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Record an instrument's answers (NRS, BPI-SF, ODI, PGIC, EQ-5D-5L), scored",
)
def record(
    patient_id: PatientId, body: AssessmentCreate, actor: CurrentActor, thecal: ThecalDep
) -> AssessmentPublic:
    assessment = thecal.run(
        record_assessment,
        RecordAssessment(
            actor=actor,
            patient_id=patient_id,
            instrument=body.instrument,
            answers=dict(body.answers),
            assessed_on=body.assessed_on,
            procedure_id=body.procedure_id,
        ),
    )
    return assessment_public(assessment)
