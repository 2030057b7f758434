"""``/pumps``: a patient asks their own pump for a patient-activated bolus (the pump decides)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from thecal.bootstrap import Thecal
from thecal.domain.users import Actor
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.schemas import Problem
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pump_driver import BolusAnswer

__all__ = ["PatientBolusAnswerPublic", "request_bolus", "router"]

router = APIRouter(prefix="/pumps", tags=["pumps"])


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
    "/mine/patient-bolus",
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
