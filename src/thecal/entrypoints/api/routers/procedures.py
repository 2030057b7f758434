"""``/patients/{id}/procedures``: put a procedure on record (facet joint injection, epidural steroid
injection, trial, implant, …) and list a patient's procedures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.paging import page
from thecal.entrypoints.api.presenters.procedures import procedure_public
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.procedures import (
    ProcedureCreate,
    ProcedurePublic,
    ProceduresPublic,
)
from thecal.services.procedures import (
    ListProcedures,
    RecordProcedure,
    list_procedures,
    record_procedure,
)

__all__ = ["router"]

router = APIRouter(tags=["procedures"])


@router.get(
    "/patients/{patient_id}/procedures",
    response_model=ProceduresPublic,
    summary="A patient's procedures, newest first (an audited read)",
)
def list_for_patient(
    patient_id: PatientId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProceduresPublic:
    found = thecal.run(list_procedures, ListProcedures(actor=actor, patient_id=patient_id))
    return ProceduresPublic(
        items=[procedure_public(p) for p in page(found, limit=limit, offset=offset)],
        limit=limit,
        offset=offset,
        total=len(found),
    )


@router.post(
    "/patients/{patient_id}/procedures",
    response_model=ProcedurePublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}},
    summary="Record a procedure done to the patient (not one dated after today)",
)
def record(
    patient_id: PatientId, body: ProcedureCreate, actor: CurrentActor, thecal: ThecalDep
) -> ProcedurePublic:
    procedure = thecal.run(
        record_procedure,
        RecordProcedure(
            actor=actor,
            patient_id=patient_id,
            kind=body.kind,
            performed_on=body.performed_on,
            indication=body.indication,
            performer_id=body.performer_id,
            source_record_id=body.source_record_id,
            notes=body.notes,
        ),
    )
    return procedure_public(procedure)
