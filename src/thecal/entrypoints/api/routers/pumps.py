"""Pumps: a patient's pumps, one pump (program, reservoir by the record, next refill, alarms,
version), interrogation, proposing a program change; and the patient's own bolus button."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict

from thecal.bootstrap import Thecal
from thecal.domain.users import Actor
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.idempotency import idempotency_key
from thecal.entrypoints.api.presenters.program_changes import change_public, program_entry
from thecal.entrypoints.api.presenters.pumps import interrogation_public, pump_public, pump_summary
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.program_changes import (
    ProgramChangeCreate,
    ProgramChangeProposalPublic,
    ProgramChangesPublic,
)
from thecal.entrypoints.api.schemas.pumps import InterrogationPublic, PumpPublic, PumpsPublic
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.program_changes import (
    ProposalOutcome,
    ProposeProgramChange,
    program_from_entry,
    propose_program_change,
)
from thecal.services.pump_driver import BolusAnswer
from thecal.services.pump_reads import (
    MAX_PAGE,
    GetPumpOverview,
    ListPatientPumps,
    ListProgramChanges,
    SearchPumps,
    get_pump_overview,
    list_patient_pumps,
    list_program_changes,
    search_pumps,
)
from thecal.services.pump_record import PumpState
from thecal.services.pumps import GetPump, get_pump

__all__ = ["PatientBolusAnswerPublic", "PumpId", "request_bolus", "router"]

router = APIRouter(tags=["pumps"])

PumpId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Pump id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9._:-]{8,100}$",
        description="Makes a retried request return the first result.",
    ),
]


class PatientBolusAnswerPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    serial: str
    at: dt.datetime
    granted: bool
    reason: str
    uncertain: bool


def request_bolus(thecal: Thecal, actor: Actor) -> BolusAnswer:
    """The patient's own (single active) pump, asked through the device driver; logged, audited."""
    return thecal.run_device(request_patient_bolus, RequestPatientBolus(actor=actor))


@router.post(
    "/pumps/mine/patient-bolus",
    response_model=PatientBolusAnswerPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Ask my pump for a patient bolus (granted, or refused with the pump's reason)",
)
def patient_bolus(actor: CurrentActor, thecal: ThecalDep) -> PatientBolusAnswerPublic:
    answer = request_bolus(thecal, actor)
    return PatientBolusAnswerPublic(
        serial=answer.serial,
        at=answer.at,
        granted=answer.granted,
        reason=answer.reason,
        uncertain=answer.uncertain,
    )


@router.get(
    "/patients/{patient_id}/pumps",
    response_model=PumpsPublic,
    responses={404: {"model": Problem}},
    summary="A patient's pumps, newest implant first",
)
def list_for_patient(
    patient_id: PatientId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Limit = 25,
    offset: Offset = 0,
) -> PumpsPublic:
    page = thecal.run(
        list_patient_pumps,
        ListPatientPumps(actor=actor, patient_id=patient_id, limit=limit, offset=offset),
    )
    return PumpsPublic(
        items=[pump_summary(p) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/pumps",
    response_model=PumpsPublic,
    responses={403: {"model": Problem}, 404: {"model": Problem}},
    summary="List and search pumps by patient, serial, model and state, newest implant first",
    description=(
        "Every filter given must match: `patient_id` (that patient's pumps; 403 for a patient "
        "you may not read, 404 for one that does not exist), `serial` (a prefix, case-sensitive), "
        "`model_id` (e.g. synchromed-ii-20), `state` (active or explanted). A patient finds only "
        "their own pumps. Clinicians and pharmacists; an audited read of the pumps returned."
    ),
)
def search(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    patient_id: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Patient id.")
    ] = None,
    serial: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Serial prefix.")
    ] = None,
    model_id: Annotated[
        str | None, Query(pattern=r"^[a-z0-9-]{1,64}$", description="Pump model id.")
    ] = None,
    state: Annotated[PumpState | None, Query(description="Pump state.")] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> PumpsPublic:
    page = thecal.run(
        search_pumps,
        SearchPumps(
            actor=actor,
            patient_id=patient_id,
            serial_prefix=serial,
            model_id=model_id,
            state=state,
            limit=limit,
            offset=offset,
        ),
    )
    return PumpsPublic(
        items=[pump_summary(p) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/pumps/{pump_id}",
    response_model=PumpPublic,
    responses={404: {"model": Problem}},
    summary="One pump: program, reservoir by the record, next refill, latest alarms, version",
)
def show(pump_id: PumpId, actor: CurrentActor, thecal: ThecalDep) -> PumpPublic:
    return pump_public(thecal.run(get_pump_overview, GetPumpOverview(actor=actor, pump_id=pump_id)))


@router.post(
    "/pumps/{pump_id}/interrogations",
    response_model=InterrogationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Interrogate the pump: program, reservoir, alarms, battery, events since the last",
)
def interrogate(pump_id: PumpId, actor: CurrentActor, thecal: ThecalDep) -> InterrogationPublic:
    result = thecal.run_device(interrogate_pump, InterrogatePump(actor=actor, pump_id=pump_id))
    return interrogation_public(result)


@router.get(
    "/pumps/{pump_id}/program-changes",
    response_model=ProgramChangesPublic,
    responses={404: {"model": Problem}},
    summary="A pump's program changes, newest first",
)
def list_changes(
    pump_id: PumpId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Limit = 25,
    offset: Offset = 0,
) -> ProgramChangesPublic:
    page = thecal.run(
        list_program_changes,
        ListProgramChanges(actor=actor, pump_id=pump_id, limit=limit, offset=offset),
    )
    return ProgramChangesPublic(
        items=[change_public(c) for c in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


def _proposal_public(outcome: ProposalOutcome) -> ProgramChangeProposalPublic:
    """The proposed change as :func:`change_public` shows it, and whether it was a replay."""
    return ProgramChangeProposalPublic(
        **dict(change_public(outcome.change)), replayed=outcome.replayed
    )


@router.post(
    "/pumps/{pump_id}/program-changes",
    response_model=ProgramChangeProposalPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": ProgramChangeProposalPublic,
            "description": "A replay: the change this key proposed before; nothing is proposed.",
        },
        404: {"model": Problem},
        409: {"model": Problem},
    },
    summary=(
        "Propose a new program (daily dose or flex steps, patient bolus, low-reservoir alarm; "
        "doses in the drug's unit): the change with its safety findings, the diff and its "
        "digest; a retry with the same key returns the first with 200 (replayed: true)"
    ),
)
def propose(
    pump_id: PumpId,
    body: ProgramChangeCreate,
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    response: Response,
    key: IdempotencyHeader = None,
) -> ProgramChangeProposalPublic:
    chosen_key = idempotency_key(key, body.idempotency_key)
    pump = thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id))
    outcome = thecal.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor,
            pump_id=pump_id,
            new_program=program_from_entry(pump, program_entry(body)),
            idempotency_key=chosen_key,
            rationale=body.rationale,
        ),
    )
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    return _proposal_public(outcome)
