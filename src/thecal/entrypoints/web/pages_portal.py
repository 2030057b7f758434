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

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.assessment import Assessment
from thecal.domain.errors import InvalidInput, RequestInvalid
from thecal.domain.instruments import Instrument
from thecal.domain.scheduling import (
    FOLLOW_UP_QUESTIONNAIRES,
    Appointment,
    AppointmentState,
    PurposeKind,
    ReminderDetail,
)
from thecal.domain.users import Role
from thecal.entrypoints.api.routers.pumps import request_bolus
from thecal.entrypoints.web.charts import pain_chart
from thecal.entrypoints.web.form_fields import FormRefusal
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
from thecal.services.patient_bolus import (
    BolusStatus,
    GetBolusStatus,
    NoPumpForPatient,
    bolus_status,
)
from thecal.services.patients import GetPatient, get_patient
from thecal.services.procedures import ListProcedures, list_procedures
from thecal.services.scheduling.appointments import (
    GetAppointment,
    PatientAppointments,
    get_appointment,
    patient_appointments,
)
from thecal.services.scheduling.reminders import (
    GetReminderPreference,
    SetReminderPreference,
    reminder_preference,
    set_reminder_preference,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Code = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,20}$")]
VisitId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _own(auth: Authenticated) -> str | None:
    """The patient's own record id; None for anyone who is not a patient user."""
    if auth.actor.role is not Role.PATIENT:
        return None
    return auth.actor.patient_id


def _bolus(request: Request, auth: Authenticated) -> BolusStatus | None:
    """The last bolus request and the next allowed time; None for a patient with no active pump."""
    try:
        return thecal_of(request).run(bolus_status, GetBolusStatus(actor=auth.actor))
    except NoPumpForPatient:
        return None


def _portal(request: Request, auth: Authenticated, patient_id: str, **extra: Any) -> Response:
    thecal = thecal_of(request)
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=patient_id))
    history: list[Assessment] = list(
        thecal.run(list_assessments, ListAssessments(actor=auth.actor, patient_id=patient_id))
    )
    diary = [a for a in history if a.instrument is Instrument.NRS]
    visits = thecal.run(
        patient_appointments, PatientAppointments(actor=auth.actor, patient_id=patient_id)
    )
    now = thecal.clock.now()
    preference = thecal.run(
        reminder_preference, GetReminderPreference(actor=auth.actor, patient_id=patient_id)
    )
    context: dict[str, Any] = {
        "patient": patient,
        "upcoming": [
            (v, v.starts_at.astimezone(thecal.scheduling.zone))
            for v in visits
            if v.state is AppointmentState.BOOKED and v.ends_at >= now
        ],
        "preference": preference,
        "details": list(ReminderDetail),
        "bolus": _bolus(request, auth),
        "asked": False,
        "zone": thecal.scheduling.zone,
        "saved": "",
        "today": thecal.clock.now().date(),
        "diary": list(reversed(diary))[:14],
        "questionnaires": [a for a in reversed(history) if a.instrument is not Instrument.NRS][:10],
        "pain_chart": pain_chart(diary),
        "instruments": [questionnaire(i.value) for i in PORTAL_INSTRUMENTS],
    }
    return render(request, "portal.html", **{**context, **extra})


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, saved: str = "", bolus: str = "") -> Response:
    auth = page_auth(request)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    shown = {
        "diary": "pain diary entry",
        "reminders": "reminder choice",
        **{i.value: i.name for i in PORTAL_INSTRUMENTS},
    }
    return _portal(request, auth, patient_id, saved=shown.get(saved, ""), asked=bolus == "asked")


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


def _follow_up(request: Request, auth: Authenticated, visit_id: str) -> Appointment:
    """The patient's own follow-up visit whose questionnaires they answer (policy: own only),
    once its window is open (answers before it would not count for the visit)."""
    thecal = thecal_of(request)
    visit = thecal.run(get_appointment, GetAppointment(actor=auth.actor, appointment_id=visit_id))
    if visit.purpose.kind is not PurposeKind.FOLLOW_UP or visit.purpose.ref is None:
        raise RequestInvalid(where="visit", detail="this visit asks for no questionnaire")
    opens = _opens(request, auth, visit)
    if opens is not None and thecal.clock.now().date() < opens:
        raise RequestInvalid(
            where="visit", detail=f"the questions for this visit open on {opens:%d %B %Y}"
        )
    return visit


def _opens(request: Request, auth: Authenticated, visit: Appointment) -> dt.date | None:
    """The first day of the follow-up's window (procedure day + the time point's first day)."""
    thecal = thecal_of(request)
    point = thecal.scheduling.time_point(visit.purpose.time_point or "")
    procedures = thecal.run(
        list_procedures, ListProcedures(actor=auth.actor, patient_id=visit.patient_id)
    )
    done = next((p for p in procedures if p.id == visit.purpose.ref), None)
    if point is None or done is None:
        return None
    return done.performed_on + dt.timedelta(days=point.first_day)


@router.get("/portal/visits/{visit_id}", response_class=HTMLResponse)
def portal_visit(request: Request, visit_id: VisitId) -> Response:
    """A visit of the patient's, with the questionnaires to answer before it (the reminder's
    link)."""
    auth = page_auth(request)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    thecal = thecal_of(request)
    visit = thecal.run(get_appointment, GetAppointment(actor=auth.actor, appointment_id=visit_id))
    asked: list[Any] = []
    if visit.purpose.kind is PurposeKind.FOLLOW_UP and visit.purpose.ref is not None:
        point = thecal.scheduling.time_point(visit.purpose.time_point or "")
        history = thecal.run(
            list_assessments, ListAssessments(actor=auth.actor, patient_id=patient_id)
        )
        answered = {
            a.instrument
            for a in history
            if a.procedure_id == visit.purpose.ref
            and a.days_after_procedure is not None
            and point is not None
            and point.first_day <= a.days_after_procedure <= point.last_day
        }
        asked = [
            (questionnaire(i.value), i in answered)
            for i in FOLLOW_UP_QUESTIONNAIRES.get(visit.purpose.time_point or "", ())
        ]
    opens = _opens(request, auth, visit) if asked else None
    return render(
        request,
        "portal_visit.html",
        opens=opens if opens is not None and thecal.clock.now().date() < opens else None,
        visit=visit,
        local_start=visit.starts_at.astimezone(thecal.scheduling.zone),
        clinic=thecal.scheduling.name,
        questionnaires=asked,
    )


@router.post("/portal/reminders", response_class=HTMLResponse)
async def portal_reminders(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    detail = form.get("detail", "")
    if detail not in {d.value for d in ReminderDetail}:
        raise RequestInvalid(where="reminders", detail="choose what your reminders may say")
    thecal_of(request).run(
        set_reminder_preference,
        SetReminderPreference(
            actor=auth.actor,
            patient_id=patient_id,
            email=form.get("email") == "yes",
            detail=ReminderDetail(detail),
        ),
    )
    return RedirectResponse("/portal?saved=reminders#reminders-h", status_code=303)


@router.get("/portal/questionnaires/{code}", response_class=HTMLResponse)
def portal_questionnaire(
    request: Request,
    code: Code,
    visit: Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{0,64}$")] = "",
) -> Response:
    auth = page_auth(request)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    patient = thecal_of(request).run(
        get_patient, GetPatient(actor=auth.actor, patient_id=patient_id)
    )
    if visit:
        _follow_up(request, auth, visit)
    return render(
        request, "portal_questionnaire.html", patient=patient, q=questionnaire(code), visit=visit
    )


def _refusal(error: InvalidInput, keys: tuple[str, ...]) -> FormRefusal:
    """The refusal next to the question it names (the domain names items with spaces)."""
    named = str(error.fields.get("item", error.fields.get("where", "")))
    number = named.removeprefix("section ")  # the ODI names its items by section number
    if number.isdigit() and 1 <= int(number) <= len(keys):
        named = keys[int(number) - 1]
    named = named.replace(" ", "_")
    return FormRefusal(message=error.message, code=error.code, field=named if named in keys else "")


@router.post("/portal/questionnaires/{code}", response_class=HTMLResponse)
async def portal_questionnaire_answer(request: Request, code: Code) -> Response:
    """Record the patient's answers; answers that cannot be scored come back with every answer
    given and the message next to the question (issue 13 §5), nothing recorded."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    patient_id = _own(auth)
    if patient_id is None:
        return RedirectResponse("/", status_code=303)
    shown = questionnaire(code)
    visit_id = form.get("visit", "")[:64]
    procedure_id = _follow_up(request, auth, visit_id).purpose.ref if visit_id else None
    keys = shown.instrument.items
    try:
        thecal_of(request).run(
            record_assessment,
            RecordAssessment(
                actor=auth.actor,
                patient_id=patient_id,
                instrument=shown.instrument,
                answers=answers_from_form(form, keys),
                assessed_on=_today(request),
                procedure_id=procedure_id,  # a follow-up's answers count for its episode
            ),
        )
    except InvalidInput as refused:
        patient = thecal_of(request).run(
            get_patient, GetPatient(actor=auth.actor, patient_id=patient_id)
        )
        return render(
            request,
            "portal_questionnaire.html",
            status_code=422,
            patient=patient,
            q=shown,
            visit=visit_id,
            answers={k: form.get(k, "") for k in keys},
            refusal=_refusal(refused, keys),
        )
    if visit_id:
        return RedirectResponse(f"/portal/visits/{visit_id}?saved={shown.instrument.value}", 303)
    return RedirectResponse(f"/portal?saved={shown.instrument.value}#questionnaires-h", 303)


@router.post("/portal/bolus", response_class=HTMLResponse)
async def portal_bolus(request: Request) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    request_bolus(thecal_of(request), auth.actor)  # the policy refuses a non-patient
    # post/redirect/get: the answer is read back from the bolus log, so a reload asks nothing
    return RedirectResponse("/portal?bolus=asked#bolus-h", status_code=303)
