"""MRI with an implanted pump: ``POST /pumps/{id}/mri-plans`` and ``/mri-plans/{id}`` (read,
emptying, clearance, scan).

Emptying withdraws the reservoir through the pump driver (send the pump version you read).
Clearance is the physician's: it is refused for a pump that must be emptied and was not
(THC-PATH-051, SR-15) or for a field above the clinic's maximum (THC-PATH-052), and puts the
post-MRI interrogation task on the worklist; recording the scan re-dates that task from it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.mri import mri_plan_public
from thecal.entrypoints.api.schemas.mri import MriEmptying, MriPlanCreate, MriPlanPublic
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    GetMriPlan,
    PlanMri,
    RecordMriScan,
    clear_mri,
    empty_pump_for_mri,
    get_mri_plan,
    plan_mri,
    record_mri_scan,
)

__all__ = ["router"]

router = APIRouter(tags=["mri"])

_Id = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")
PumpId = Annotated[str, _Id]
PlanId = Annotated[str, _Id]
_REFUSED: dict[int | str, dict[str, Any]] = {404: {"model": Problem}, 409: {"model": Problem}}


@router.post(
    "/pumps/{pump_id}/mri-plans",
    response_model=MriPlanPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}},
    summary="Plan an MRI for the patient with this pump (scan time, field strength in tesla)",
)
def plan(
    pump_id: PumpId, body: MriPlanCreate, actor: CurrentActor, thecal: ThecalDep
) -> MriPlanPublic:
    planned = thecal.run(
        plan_mri,
        PlanMri(
            actor=actor,
            pump_id=pump_id,
            scan_at=body.scan_at,
            field_strength_t=Decimal(body.field_strength_t),
        ),
    )
    return mri_plan_public(planned)


@router.get(
    "/mri-plans/{plan_id}",
    response_model=MriPlanPublic,
    responses={404: {"model": Problem}},
    summary="One MRI plan (an audited read)",
)
def show(plan_id: PlanId, actor: CurrentActor, thecal: ThecalDep) -> MriPlanPublic:
    return mri_plan_public(thecal.run(get_mri_plan, GetMriPlan(actor=actor, plan_id=plan_id)))


@router.post(
    "/mri-plans/{plan_id}/emptying",
    response_model=MriPlanPublic,
    responses=_REFUSED,
    summary="Empty the pump before the scan: withdraw the reservoir through the pump",
)
def empty(
    plan_id: PlanId, body: MriEmptying, actor: CurrentActor, thecal: ThecalDep
) -> MriPlanPublic:
    plan_ = thecal.run_device(
        empty_pump_for_mri,
        EmptyPumpForMri(
            actor=actor, plan_id=plan_id, expected_pump_version=body.expected_pump_version
        ),
    )
    return mri_plan_public(plan_)


@router.post(
    "/mri-plans/{plan_id}/clearance",
    response_model=MriPlanPublic,
    responses=_REFUSED,
    summary="Clear the patient for the scan (physician); the post-MRI task is stored",
)
def clear(plan_id: PlanId, actor: CurrentActor, thecal: ThecalDep) -> MriPlanPublic:
    return mri_plan_public(thecal.run(clear_mri, ClearMri(actor=actor, plan_id=plan_id)))


@router.post(
    "/mri-plans/{plan_id}/scan",
    response_model=MriPlanPublic,
    responses=_REFUSED,
    summary="Record that the scan happened now; the post-MRI task is re-dated from it",
)
def scan(plan_id: PlanId, actor: CurrentActor, thecal: ThecalDep) -> MriPlanPublic:
    return mri_plan_public(thecal.run(record_mri_scan, RecordMriScan(actor=actor, plan_id=plan_id)))
