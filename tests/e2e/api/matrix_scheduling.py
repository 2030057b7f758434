"""Authorization-matrix part for the scheduling endpoints (see matrix_parts).

Physicians and nurses triage referrals, book, move, cancel and record visits, read the clinic's
visits, a patient's visits, visit needs and reminder preference, find free times and make their
own calendar feed; administrators manage rooms, working hours and closures and read the
calendars; a patient reads their own visits, visit needs and reminder preference and sets their
own preference; pharmacists and anonymous callers reach none of it.

Every state-changing request gets a fresh object made for it: a new referral to triage, a new
visit to move, cancel or record. Visits to record start within the next hour (attendance may be
recorded from an hour before the start), each with its own clinician and slot: the part adds
clinicians who work around the clock and rooms enough for that.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from api_support import PASSWORD, Clinic
from matrix_parts import MatrixPart

from thecal.domain.candidacy import Indication
from thecal.domain.scheduling import (
    AppointmentState,
    IntakeForm,
    Location,
    PurposeKind,
    ReferralSource,
    ReferralState,
    VisitPurpose,
    VisitType,
    WorkingHours,
)
from thecal.domain.users import Actor, Role
from thecal.services.accounts import CreateUser
from thecal.services.scheduling.appointments import BookAppointment, book_appointment
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    put_room,
    set_working_hours,
)
from thecal.services.scheduling.referrals import SubmitReferral, submit_referral

__all__ = ["PART"]

ADMIN = Actor(user_id="operator", role=Role.ADMIN)
ALL_WEEK = tuple(WorkingHours(weekday=d, starts=dt.time(0), ends=dt.time(23, 45)) for d in range(7))
ROOMS = [f"mx-room-{i}" for i in range(8)]
EXTRA = 4  # clinicians beyond the clinic's physician and nurse
_far = itertools.count(0)
_near = itertools.count(0)
_referrals = itertools.count(0)
_clinicians: list[str] = []


def _prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    run = clinic.thecal.run
    for room in ROOMS:
        run(put_room, PutRoom(actor=ADMIN, room_id=room, name=room, location=Location.CLINIC))
    _clinicians.clear()
    _clinicians.extend([clinic.users[Role.NURSE], clinic.users[Role.PHYSICIAN]])
    for i in range(EXTRA):
        user = clinic.thecal.run(
            clinic.thecal.accounts.create_user,
            CreateUser(
                actor=ADMIN,
                username=f"mx-nurse-{i}",
                role=Role.NURSE,
                display_name=f"Matrix Nurse {i}",
                password=PASSWORD,
            ),
        )
        _clinicians.append(user.id)
    for user_id in _clinicians:
        run(set_working_hours, SetWorkingHours(actor=ADMIN, user_id=user_id, hours=ALL_WEEK))
    referral = _referral(clinic)
    visit = {kind: _near_visit(clinic, _patient(clinic, kind)) for kind in ("own", "foreign")}
    return {
        "referral_id": {"own": referral, "foreign": referral},
        "appointment_id": visit,
        "room_id": {"own": ROOMS[0], "foreign": ROOMS[0]},
    }


def _patient(clinic: Clinic, kind: str) -> str:
    return clinic.own_patient if kind == "own" else clinic.foreign_patient


def _referral(clinic: Clinic) -> str:
    form = IntakeForm(
        source=ReferralSource.PATIENT,
        family_name="Matrix",
        given_names="Mo",
        birth_date=dt.date(1970, 1, 1),
        email="mo@example.org",
        phone="",
        condition=Indication.CANCER_PAIN,
        tried=frozenset(),
        tried_details="",
        consent_to_contact=True,
    )
    key = f"matrix-{next(_referrals)}"  # its own client: never throttled
    return clinic.thecal.run(submit_referral, SubmitReferral(form=form, client_key=key)).id


def _book(clinic: Clinic, patient_id: str, start: dt.datetime, clinician: str, room: str) -> str:
    nurse = Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE)
    return clinic.thecal.run(
        book_appointment,
        BookAppointment(
            actor=nurse,
            patient_id=patient_id,
            visit_type=VisitType.MRI_INTERROGATION,  # 15 minutes
            purpose=VisitPurpose(kind=PurposeKind.OTHER),
            clinician_id=clinician,
            room_id=room,
            starts_at=start,
        ),
    ).id


def _quarter_after(at: dt.datetime) -> dt.datetime:
    base = at.replace(second=0, microsecond=0)
    return base + dt.timedelta(minutes=15 - base.minute % 15)


def _far_start(clinic: Clinic) -> dt.datetime:
    """A slot of the clinic's nurse well in the future, a new one each time."""
    return _quarter_after(clinic.clock.now()) + dt.timedelta(days=2, minutes=15 * next(_far))


def _near_visit(clinic: Clinic, patient_id: str) -> str:
    """A visit starting 15–60 minutes from now (attendance may be recorded an hour before; the
    matrix's clock moves a second a request): each its own clinician, slot and room."""
    n = next(_near)
    clinician = _clinicians[n % len(_clinicians)]
    slot = 1 + (n // len(_clinicians)) % 3
    start = _quarter_after(clinic.clock.now()) + dt.timedelta(minutes=15 * slot)
    return _book(clinic, patient_id, start, clinician, ROOMS[1 + n % (len(ROOMS) - 1)])


def _booked(world: Any, kind: str) -> str:
    """The kind's visit while it is still booked, else a new one (a refused request changes
    nothing, so the same visit serves until an allowed request moves, cancels or records it)."""
    ident: str = world.ids["appointment_id"][kind]
    with world.clinic.thecal.uow() as uow:
        visit = uow.appointments.get(ident)
    if visit is None or visit.state is not AppointmentState.BOOKED:
        ident = _near_visit(world.clinic, _patient(world.clinic, kind))
        world.ids["appointment_id"][kind] = ident  # the coverage test templates this id
    return ident


def _move(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    ident = _booked(world, kind)
    body = {"starts_at": (_far_start(world.clinic)).isoformat(), "expected_version": 1}
    return "POST", f"/api/v1/appointments/{ident}/reschedule", body


def _cancel(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    ident = _booked(world, kind)
    return (
        "POST",
        f"/api/v1/appointments/{ident}/cancellation",
        {"expected_version": 1, "reason": "matrix"},
    )


def _outcome(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    ident = _booked(world, kind)
    return (
        "POST",
        f"/api/v1/appointments/{ident}/outcome",
        {"expected_version": 1, "outcome": "attended"},
    )


def _book_request(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "patient_id": _patient(world.clinic, kind),
        "visit_type": "mri-interrogation",
        "purpose": {"kind": "other"},
        "clinician_id": world.clinic.users[Role.NURSE],
        "room_id": ROOMS[0],
        "starts_at": _far_start(world.clinic).isoformat(),
    }
    return "POST", "/api/v1/appointments", body


def _triage(world: Any, _kind: str) -> tuple[str, str, dict[str, Any]]:
    ident: str = world.ids["referral_id"]["own"]
    with world.clinic.thecal.uow() as uow:
        current = uow.referrals.get(ident)
    if current is None or current.state is not ReferralState.RECEIVED:  # triaged: a new one
        ident = _referral(world.clinic)
        world.ids["referral_id"]["own"] = world.ids["referral_id"]["foreign"] = ident
    body = {"step": "request-information", "expected_version": 1, "text": "which operation?"}
    return "POST", f"/api/v1/referrals/{ident}/triage", body


def _range(world: Any, _kind: str) -> tuple[str, str, None]:
    start = world.clinic.clock.now().date().isoformat()
    return "GET", f"/api/v1/appointments?start={start}T00:00:00Z&end={start}T23:45:00Z", None


def _free(world: Any, _kind: str) -> tuple[str, str, None]:
    now = world.clinic.clock.now()
    earliest = (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    latest = (now + dt.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "GET",
        f"/api/v1/calendar/free-times?visit_type=refill&earliest={earliest}&latest={latest}",
        None,
    )


def _room(_w: Any, _k: str) -> tuple[str, str, dict[str, Any]]:
    return "PUT", f"/api/v1/calendar/rooms/{ROOMS[0]}", {"name": ROOMS[0], "location": "clinic"}


def _hours(world: Any, _k: str) -> tuple[str, str, dict[str, Any]]:
    user = world.clinic.users[Role.NURSE]
    hours = [{"weekday": d, "starts": "00:00", "ends": "23:45"} for d in range(7)]
    return "PUT", f"/api/v1/calendar/working-hours/{user}", {"hours": hours}


def _closure(_w: Any, _k: str) -> tuple[str, str, dict[str, Any]]:
    return (
        "POST",
        "/api/v1/calendar/closures",
        {"starts_on": "2027-12-24", "ends_on": "2027-12-26", "reason": "matrix"},
    )


def _patient_path(suffix: str) -> Any:
    return lambda w, k: ("GET", f"/api/v1/patients/{_patient(w.clinic, k)}/{suffix}", None)


def _preference(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {"email": True, "detail": "time-only"}
    return "PUT", f"/api/v1/patients/{_patient(world.clinic, kind)}/reminder-preference", body


_CLINICIAN = dict.fromkeys(
    (
        "referral.list", "referral.read", "referral.triage", "appointment.range", "appointment.book",
        "appointment.move", "appointment.cancel", "appointment.outcome", "appointment.patient",
        "visit_needs.read", "reminder_preference.read", "reminder_preference.write",
        "calendar.read", "calendar.free", "calendar.feed", "calendar.feed_revoke",
    ),
    "any",
)  # fmt: skip

PART = MatrixPart(
    endpoints={
        "referral.list": ("collection", lambda _w, _k: ("GET", "/api/v1/referrals", None)),
        "referral.read": (
            "collection",
            lambda w, _k: ("GET", f"/api/v1/referrals/{w.ids['referral_id']['own']}", None),
        ),
        "referral.triage": ("collection", _triage),
        "appointment.range": ("collection", _range),
        "appointment.book": ("object", _book_request),
        "appointment.move": ("object", _move),
        "appointment.cancel": ("object", _cancel),
        "appointment.outcome": ("object", _outcome),
        "appointment.patient": ("object", _patient_path("appointments")),
        "visit_needs.read": ("object", _patient_path("visit-needs")),
        "reminder_preference.read": ("object", _patient_path("reminder-preference")),
        "reminder_preference.write": ("object", _preference),
        "calendar.read": ("collection", lambda _w, _k: ("GET", "/api/v1/calendar", None)),
        "calendar.room": ("collection", _room),
        "calendar.hours": ("collection", _hours),
        "calendar.closure": ("collection", _closure),
        "calendar.free": ("collection", _free),
        "calendar.feed": ("collection", lambda _w, _k: ("POST", "/api/v1/calendar/feed", None)),
        "calendar.feed_revoke": (
            "collection",
            lambda _w, _k: ("DELETE", "/api/v1/calendar/feed", None),
        ),
    },
    expected={
        "physician": _CLINICIAN,
        "nurse": _CLINICIAN,
        "admin": dict.fromkeys(
            (
                "calendar.read",
                "calendar.room",
                "calendar.hours",
                "calendar.closure",
                "calendar.free",
            ),
            "any",
        ),
        "patient": dict.fromkeys(
            (
                "appointment.patient",
                "visit_needs.read",
                "reminder_preference.read",
                "reminder_preference.write",
            ),
            "own",
        ),
    },
    prepare=_prepare,
)
