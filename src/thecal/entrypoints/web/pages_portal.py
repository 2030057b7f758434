"""The patient portal: the patient's own record, today's pain in the pain diary (NRS 0–10) with
the history as a chart, questionnaires (ODI, BPI, EQ-5D-5L, PGIC) scored by the domain, and the
patient bolus request with lockout feedback.

Every page works on the logged-in patient's own record (``actor.patient_id``): there is no
patient id in any URL or form, and the services' policy allows a patient only their own record
(``assessment.record``/``assessment.read``: patient OWN). A non-patient is sent to the start page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.assessment import Assessment
from thecal.domain.instruments import Instrument
from thecal.domain.users import Role
from thecal.entrypoints.api.routers.pumps import request_bolus
from thecal.entrypoints.web.charts import pain_chart
from thecal.entrypoints.web.questionnaires import (
    PORTAL_INSTRUMENTS,
    answers_from_form,
    questionnaire,
)
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.assessments import (
    ListAssessments,
    RecordAssessment,
    list_assessments,
    record_assessment,
)
from thecal.services.identity import Authenticated
from thecal.services.patients import GetPatient, get_patient

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Code = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,20}$")]


def _own(auth: Authenticated) -> str | None:
    """The patient's own record id; None for anyone who is not a patient user."""
    if auth.actor.role is not Role.PATIENT:
        return None
    return auth.actor.patient_id


def _portal(request: Request, auth: Authenticated, patient_id: str, **extra: Any) -> Response:
    thecal = thecal_of(request)
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=patient_id))
    history: list[Assessment] = list(
        thecal.run(list_assessments, ListAssessments(actor=auth.actor, patient_id=patient_id))
    )
    diary = [a for a in history if a.instrument is Instrument.NRS]
    context: dict[str, Any] = {
        "patient": patient,
        "answer": None,
        "saved": "",
        "today": thecal.clock.now().date(),
        "diary": list(reversed(diary))[:14],
        "questionnaires": [a for a in reversed(history) if a.instrument is not Instrument.NRS][:10],
        "pain_chart": pain_chart(diary),
        "instruments": [questionnaire(i.value) for i in PORTAL_INSTRUMENTS],
    }
    return render(request, "portal.html", **{**context, **extra})


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, saved: str = "") -> Response:
    auth = page_auth(request)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    shown = {"diary": "pain diary entry", **{i.value: i.name for i in PORTAL_INSTRUMENTS}}
    return _portal(request, auth, patient_id, saved=shown.get(saved, ""))


def _today(request: Request) -> dt.date:
    return thecal_of(request).clock.now().astimezone(dt.UTC).date()


@router.post("/portal/diary", response_class=HTMLResponse)
async def portal_diary(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    thecal_of(request).run(
        record_assessment,
        RecordAssessment(
            actor=auth.actor,
            patient_id=patient_id,
            instrument=Instrument.NRS,
            answers=answers_from_form(form, Instrument.NRS.items),
            assessed_on=_today(request),
        ),
    )
    return RedirectResponse("/portal?saved=diary#diary-h", status_code=303)


@router.get("/portal/questionnaires/{code}", response_class=HTMLResponse)
def portal_questionnaire(request: Request, code: Code) -> Response:
    auth = page_auth(request)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    patient = thecal_of(request).run(
        get_patient, GetPatient(actor=auth.actor, patient_id=patient_id)
    )
    return render(request, "portal_questionnaire.html", patient=patient, q=questionnaire(code))


@router.post("/portal/questionnaires/{code}", response_class=HTMLResponse)
async def portal_questionnaire_answer(request: Request, code: Code) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    shown = questionnaire(code)
    thecal_of(request).run(
        record_assessment,
        RecordAssessment(
            actor=auth.actor,
            patient_id=patient_id,
            instrument=shown.instrument,
            answers=answers_from_form(form, shown.instrument.items),
            assessed_on=_today(request),
        ),
    )
    return RedirectResponse(f"/portal?saved={shown.instrument.value}#questionnaires-h", 303)


@router.post("/portal/bolus", response_class=HTMLResponse)
async def portal_bolus(request: Request) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    answer = request_bolus(thecal_of(request), auth.actor)  # the policy refuses a non-patient
    return _portal(request, auth, auth.actor.patient_id or "", answer=answer)
