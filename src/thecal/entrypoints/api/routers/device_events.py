"""The events of a pump's life (issue 12 §3): replacement, catheter revision, explant or end of
therapy, interruption and restart, transfer of care; and the list of a pump's events.

Each ``POST`` creates one event on the pump named in the body, at the version the client read;
a refusal changes nothing and sends nothing to the pump: 409 THC-PATH-060 (the new model cannot
carry the therapy over), 061 (a withdrawal plan is required), 062 (the pump is out of care), 063
/ 064 (already suspended / not suspended), 065 (a restart as a new start needs a justification),
066 (the same serial), 068 (no CSF through the catheter access port); 422 THC-PUMP-010 (the
restart as a new start is blocked by the safety review). ``request_id`` makes a retry return the
first event.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, status

from thecal.domain.device_event_record import DeviceEventRecord
from thecal.domain.quantity_text import parse_dose_rate, parse_volume
from thecal.domain.safety.context import MonitoringPlan
from thecal.domain.therapy_discontinuation import WithdrawalPlan
from thecal.domain.units import Duration
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.device_events import device_event_public
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.routers.pumps import PumpId
from thecal.entrypoints.api.schemas.device_events import (
    CareTransferCreate,
    CatheterRevisionCreate,
    DeliveryRestartCreate,
    DeviceEventPublic,
    DeviceEventsPublic,
    InterruptionCreate,
    PumpReplacementCreate,
    TherapyDiscontinuationCreate,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.care_transfers import TransferCare, transfer_care
from thecal.services.catheter_revisions import ReviseCatheter, revise_catheter
from thecal.services.device_event_records import GetDeviceEvents, list_device_events
from thecal.services.interruptions import (
    RestartDelivery,
    SuspendDelivery,
    restart_delivery,
    suspend_delivery,
)
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy

__all__ = ["router"]

router = APIRouter(tags=["device-events"])

_REFUSED: dict[int | str, dict[str, Any]] = {404: {"model": Problem}, 409: {"model": Problem}}


def _event_id(request_id: str | None) -> str | None:
    """A stable event id for the client's request id (so a retry finds the first event)."""
    if request_id is None:
        return None
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"thecal:device-event:{request_id}"))


def _public(event: DeviceEventRecord) -> DeviceEventPublic:
    return device_event_public(event)


@router.post(
    "/pump-replacements",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary=(
        "Replace a pump (ERI, end of service, failure, change of model): final withdrawal and"
        " reconciliation, explant, the new pump implanted with the therapy carried over and"
        " re-checked for the new model, its path primed (physician)"
    ),
)
def replace(
    body: PumpReplacementCreate, actor: CurrentActor, thecal: ThecalDep
) -> DeviceEventPublic:
    event = thecal.run_device(
        replace_pump,
        ReplacePump(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            reason=body.reason,
            new_pump_model_id=body.new_pump_model_id,
            new_pump_serial=body.new_pump_serial,
            fill_volume=quantity(parse_volume, body.fill_volume, where="fill_volume"),
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.post(
    "/catheter-revisions",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary=(
        "Revise the catheter (new model or length): the new dead space, the catheter alone"
        " primed, the drug the priming pushes to the tip (physician)"
    ),
)
def revise(
    body: CatheterRevisionCreate, actor: CurrentActor, thecal: ThecalDep
) -> DeviceEventPublic:
    event = thecal.run_device(
        revise_catheter,
        ReviseCatheter(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            catheter_model_id=body.catheter_model_id,
            implanted_length_cm=Decimal(body.implanted_length_cm),
            tip_level=body.tip_level,
            cap_check=body.cap_check,
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.post(
    "/therapy-discontinuations",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary=(
        "Explant without replacement, or end the therapy with the pump left in place: refused"
        " without a withdrawal plan for every drug with a withdrawal risk (physician)"
    ),
)
def discontinue(
    body: TherapyDiscontinuationCreate, actor: CurrentActor, thecal: ThecalDep
) -> DeviceEventPublic:
    plan = body.withdrawal_plan
    event = thecal.run_device(
        discontinue_therapy,
        DiscontinueTherapy(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            kind=body.kind,
            reason=body.reason,
            withdrawal_plan=None
            if plan is None
            else WithdrawalPlan(drug_ids=tuple(plan.drugs), text=plan.text),
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.post(
    "/delivery-interruptions",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary="Suspend delivery (infection, surgery, empty reservoir, other) until a restart",
)
def suspend(body: InterruptionCreate, actor: CurrentActor, thecal: ThecalDep) -> DeviceEventPublic:
    event = thecal.run_device(
        suspend_delivery,
        SuspendDelivery(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            reason=body.reason,
            note=body.note,
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.post(
    "/delivery-restarts",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**_REFUSED, 422: {"model": Problem}},
    summary=(
        "Restart delivery after an interruption; after the clinic's tolerance interval every"
        " opioid restarts as a new start, reviewed as for an opioid-naive patient (physician),"
        " and is not sent: it becomes a program change of kind restart (facts.program_change_id)"
        " to sign, co-sign by a second clinician and send like any other"
    ),
)
def restart(
    body: DeliveryRestartCreate, actor: CurrentActor, thecal: ThecalDep
) -> DeviceEventPublic:
    monitoring = None
    if body.respiratory_monitoring_hours is not None or body.naloxone_available is not None:
        hours = body.respiratory_monitoring_hours
        monitoring = MonitoringPlan(
            respiratory=None if hours is None else Duration.hours(hours),
            naloxone_available=body.naloxone_available,
        )
    event = thecal.run_device(
        restart_delivery,
        RestartDelivery(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            daily_dose=None
            if body.daily_dose is None
            else quantity(parse_dose_rate, body.daily_dose, where="daily_dose"),
            justification=body.justification,
            monitoring=monitoring,
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.post(
    "/care-transfers",
    response_model=DeviceEventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary="Record a transfer of care: the patient leaves for, or arrives from, another clinic",
)
def transfer(body: CareTransferCreate, actor: CurrentActor, thecal: ThecalDep) -> DeviceEventPublic:
    event = thecal.run(
        transfer_care,
        TransferCare(
            actor=actor,
            pump_id=body.pump_id,
            expected_pump_version=body.expected_pump_version,
            direction=body.direction,
            clinic=body.clinic,
            note=body.note,
            effective_at=body.effective_at,
            event_id=_event_id(body.request_id),
        ),
    )
    return _public(event)


@router.get(
    "/pumps/{pump_id}/device-events",
    response_model=DeviceEventsPublic,
    responses={404: {"model": Problem}},
    summary="The events of a pump's life, oldest first (an audited read)",
)
def events(pump_id: PumpId, actor: CurrentActor, thecal: ThecalDep) -> DeviceEventsPublic:
    found = thecal.run(list_device_events, GetDeviceEvents(actor=actor, pump_id=pump_id))
    return DeviceEventsPublic(events=[_public(event) for event in found])
