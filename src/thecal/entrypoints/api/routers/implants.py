"""``POST /patients/{id}/implants``: implant a pump (physician) — the implant record, then the pump
behind the driver is filled, programmed and primed, in one transaction.

The answer gives the new pump's id and version, the priming-bolus volume and whether the pump
acknowledged its initial program (``uncertain``: interrogate it before relying on it).
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.implants import (
    implant_admixture,
    implant_fill_volume,
    implant_program,
    implant_public,
)
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.implants import ImplantCreate, ImplantPublic
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.pumps import ImplantPump, implant_pump

__all__ = ["router"]

router = APIRouter(tags=["implants"])


@router.post(
    "/patients/{patient_id}/implants",
    response_model=ImplantPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Implant a pump: record, fill, initial program and priming bolus through the pump",
)
def implant(
    patient_id: PatientId, body: ImplantCreate, actor: CurrentActor, thecal: ThecalDep
) -> ImplantPublic:
    admixture = implant_admixture(body)
    result = thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=actor,
            patient_id=patient_id,
            pump_model_id=body.pump_model_id,
            pump_serial=body.pump_serial,
            catheter_model_id=body.catheter_model_id,
            catheter_length_cm=Decimal(body.catheter_length_cm),
            catheter_tip_level=body.catheter_tip_level,
            initial_fill=admixture,
            fill_volume=implant_fill_volume(body),
            initial_program=implant_program(body, admixture),
        ),
    )
    return implant_public(result)
