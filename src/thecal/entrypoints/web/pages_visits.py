"""Visit pages: the clinic's day and week of visits (attended, no-show, cancel, move), booking a
visit the clinic's facts ask for from the free times offered, a patient's visits and visits to
book, and the clinicians' ``.ics`` feeds (``/calendar/{token}.ics``, the secret URL only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.adapters.documents.calendar_files import feed_calendar
from thecal.domain.date_plausibility import REPORT_DAY, DateOutOfRange, check_date
from thecal.domain.errors import Conflict, RequestInvalid, ThecalError, ValueOutOfRange
from thecal.domain.scheduling import AppointmentState, NeedState, VisitType
from thecal.domain.scheduling.appointment import AppointmentInvalid, SlotTaken
from thecal.domain.scheduling.calendar import ClinicianUnavailable, NotOnSlotBoundary
from thecal.entrypoints.web.form_fields import FormRefusal, local_instant, version
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.patients import GetPatient, get_patient
from thecal.services.scheduling.appointments import (
    BookAppointment,
    CancelAppointment,
    DayEntry,
    GetAppointment,
    ListAppointments,
    PatientAppointments,
    RecordVisitOutcome,
    RescheduleAppointment,
    VisitOutcome,
    book_appointment,
    cancel_appointment,
    get_appointment,
    list_appointments,
    patient_appointments,
    record_visit_outcome,
    reschedule_appointment,
)
from thecal.services.scheduling.availability import FreeTime
from thecal.services.scheduling.calendars import (
    GetVisitNeed,
    ListVisitNeeds,
    SuggestTimes,
    get_visit_need,
    list_visit_needs,
    suggest_times,
)
from thecal.services.scheduling.feeds import ReadFeed, read_feed

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
_IDENT = r"^[A-Za-z0-9_-]{1,64}$"
FeedToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$")]


def _day(text: str, today: dt.date) -> dt.date:
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where="day", detail=f"{text[:20]!r} is not YYYY-MM-DD") from None
    return check_date("day", day, REPORT_DAY, today=today)


@router.get("/visits", response_class=HTMLResponse)
def visits(
    request: Request,
    day: Annotated[str, Query(max_length=10)] = "",
    view: Annotated[str, Query(pattern="^(day|week)$")] = "day",
    clinician: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _visits_page(request, day=day, view=view, clinician=clinician)


def _visits_page(
    request: Request,
    *,
    day: str = "",
    view: str = "day",
    clinician: str = "",
    refused: str = "",
    refusal: FormRefusal | None = None,
    typed_reason: str = "",
) -> Response:
    """The clinic's day or week; after a refused cancellation (``refused``: the visit's id) the
    same page (422) with the reason typed and the message next to that visit's reason field."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    first = _day(day, thecal.clock.now().date())
    if view == "week":
        first -= dt.timedelta(days=first.weekday())
    days = 7 if view == "week" else 1
    start = dt.datetime.combine(first, dt.time(0), tzinfo=dt.UTC)
    entries = thecal.run(
        list_appointments,
        ListAppointments(
            actor=auth.actor,
            start=start,
            end=start + dt.timedelta(days=days),
            clinician_id=clinician or None,
        ),
    )
    by_day: dict[dt.date, list[DayEntry]] = {first + dt.timedelta(days=i): [] for i in range(days)}
    for entry in entries:
        by_day.setdefault(entry.appointment.starts_at.date(), []).append(entry)
    step = dt.timedelta(days=days)
    return render(
        request,
        "visits.html",
        status_code=200 if refusal is None else 422,
        refused=refused,
        refusal=refusal,
        typed_reason=typed_reason,
        by_day=by_day,
        view=view,
        first=first,
        previous=first - step,
        following=first + step,
        clinician=clinician,
        booked=AppointmentState.BOOKED,
    )


def _offer(
    request: Request, *, visit_type: VisitType, earliest: dt.datetime, latest: dt.datetime
) -> list[FreeTime]:
    auth = page_auth(request)
    thecal = thecal_of(request)
    return list(
        thecal.run(
            suggest_times,
            SuggestTimes(
                actor=auth.actor,
                visit_type=visit_type,
                earliest=earliest,
                latest=latest,
                limit=12,
                setup=thecal.scheduling,
            ),
        )
    )


def _status(refusal: ThecalError | None) -> int:
    """200; 409 for a time taken meanwhile or a clinician away; 422 for a time that cannot be
    read, is off the slot grid or out of range."""
    if refusal is None:
        return 200
    return 409 if isinstance(refusal, Conflict) else 422


def _book_page(request: Request, need: str, refusal: ThecalError | None = None) -> Response:
    """The free times for a visit need; after a refused booking (the time was taken meanwhile,
    the clinician is away, a time that cannot be read) the same page with the cause and the
    times free now (409, 422)."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    wanted = thecal.run(get_visit_need, GetVisitNeed(actor=auth.actor, need_id=need))
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=wanted.patient_id))
    # aim for the target: offer times from a week before it (or the window's start) onward
    earliest = max(wanted.earliest, wanted.target - dt.timedelta(days=7))
    times = _offer(request, visit_type=wanted.visit_type, earliest=earliest, latest=wanted.latest)
    return render(
        request,
        "visit_book.html",
        status_code=_status(refusal),
        need=wanted,
        patient=patient,
        times=times,
        move=None,
        refusal=refusal,
    )


@router.get("/visits/book", response_class=HTMLResponse)
def book_form(request: Request, need: Annotated[str, Query(pattern=_IDENT)]) -> Response:
    return _book_page(request, need)


#: A booking refused for a reason the page can show beside fresh times (issue 13 §5).
_BOOKING_REFUSALS = (
    SlotTaken,
    ClinicianUnavailable,
    NotOnSlotBoundary,
    AppointmentInvalid,
    RequestInvalid,
    DateOutOfRange,
)


@router.post("/visits/book")
async def book(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    wanted = thecal.run(
        get_visit_need, GetVisitNeed(actor=auth.actor, need_id=form.get("need", "")[:64])
    )
    try:
        booked = thecal.run(
            book_appointment,
            BookAppointment(
                actor=auth.actor,
                patient_id=wanted.patient_id,
                visit_type=wanted.visit_type,
                purpose=wanted.purpose,
                clinician_id=form.get("clinician_id", "")[:64],
                room_id=form.get("room_id", "")[:64],
                starts_at=local_instant(form, "starts_at", "start"),
                setup=thecal.scheduling,
            ),
        )
    except _BOOKING_REFUSALS as refused:
        return _book_page(request, wanted.id, refusal=refused)
    return RedirectResponse(f"/visits?day={booked.starts_at.date()}#v-{booked.id}", status_code=303)


@router.post("/visits/{appointment_id}/outcome")
async def outcome(request: Request, appointment_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    chosen = form.get("outcome", "")
    if chosen not in {VisitOutcome.ATTENDED, VisitOutcome.NO_SHOW}:
        raise RequestInvalid(where="outcome", detail="attended or no-show")
    done = thecal.run(
        record_visit_outcome,
        RecordVisitOutcome(
            actor=auth.actor,
            appointment_id=appointment_id,
            outcome=chosen,
            expected_version=version(form),
            setup=thecal.scheduling,
        ),
    )
    return RedirectResponse(f"/visits?day={done.starts_at.date()}#v-{done.id}", status_code=303)


@router.post("/visits/{appointment_id}/cancel")
async def cancel(request: Request, appointment_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    typed = form.get("reason", "")
    try:
        done = thecal.run(
            cancel_appointment,
            CancelAppointment(
                actor=auth.actor,
                appointment_id=appointment_id,
                reason=typed,
                expected_version=version(form),
                setup=thecal.scheduling,
            ),
        )
    except (ValueOutOfRange, AppointmentInvalid) as refused:  # a blank or over-long reason
        visit = thecal.run(
            get_appointment, GetAppointment(actor=auth.actor, appointment_id=appointment_id)
        )
        return _visits_page(
            request,
            day=visit.starts_at.date().isoformat(),
            refused=appointment_id,
            refusal=FormRefusal(
                message=refused.message, code=refused.code, field=f"reason-{appointment_id}"
            ),
            typed_reason=typed,
        )
    return RedirectResponse(f"/visits?day={done.starts_at.date()}", status_code=303)


@router.get("/visits/{appointment_id}/move", response_class=HTMLResponse)
def move_form(request: Request, appointment_id: Ident) -> Response:
    return _move_page(request, appointment_id)


def _move_page(
    request: Request, appointment_id: str, refusal: ThecalError | None = None
) -> Response:
    """The free times to move a visit to; after a refused move the same page with the cause
    and the times free now (409, 422)."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    visit = thecal.run(
        get_appointment, GetAppointment(actor=auth.actor, appointment_id=appointment_id)
    )
    needs = thecal.run(
        list_visit_needs, ListVisitNeeds(actor=auth.actor, patient_id=visit.patient_id)
    )
    need = next((n for n in needs if n.purpose == visit.purpose), None)
    now = thecal.clock.now()
    earliest, latest = (need.earliest, need.latest) if need else (now, now + dt.timedelta(days=28))
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=visit.patient_id))
    times = _offer(request, visit_type=visit.visit_type, earliest=earliest, latest=latest)
    return render(
        request,
        "visit_book.html",
        status_code=_status(refusal),
        need=need,
        patient=patient,
        times=times,
        move=visit,
        refusal=refusal,
    )


@router.post("/visits/{appointment_id}/move")
async def move(request: Request, appointment_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        moved = thecal.run(
            reschedule_appointment,
            RescheduleAppointment(
                actor=auth.actor,
                appointment_id=appointment_id,
                starts_at=local_instant(form, "starts_at", "start"),
                clinician_id=form.get("clinician_id", "")[:64] or None,
                room_id=form.get("room_id", "")[:64] or None,
                expected_version=version(form),
                setup=thecal.scheduling,
            ),
        )
    except _BOOKING_REFUSALS as refused:
        return _move_page(request, appointment_id, refusal=refused)
    return RedirectResponse(f"/visits?day={moved.starts_at.date()}#v-{moved.id}", status_code=303)


@router.get("/patients/{patient_id}/visits", response_class=HTMLResponse)
def patient_visits(request: Request, patient_id: Ident) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=patient_id))
    found = thecal.run(
        patient_appointments, PatientAppointments(actor=auth.actor, patient_id=patient_id)
    )
    needs = thecal.run(list_visit_needs, ListVisitNeeds(actor=auth.actor, patient_id=patient_id))
    return render(
        request,
        "patient_visits.html",
        patient=patient,
        visits=list(reversed(found)),
        needs=[n for n in needs if n.state is NeedState.OPEN],
        booked_needs=[n for n in needs if n.state is NeedState.BOOKED],
    )


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: FeedToken) -> Response:
    thecal = thecal_of(request)
    events = thecal.run(read_feed, ReadFeed(token=token, setup=thecal.scheduling))
    body = feed_calendar(events, stamp=thecal.clock.now(), name=f"{thecal.scheduling.name} visits")
    return Response(
        body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "no-store"}
    )
