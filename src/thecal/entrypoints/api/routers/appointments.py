"""``/appointments``: book, move, cancel and record visits; a day or a week of visits; a
patient's visits and the visits their facts ask for (``services/scheduling/appointments.py``).

A slot already booked is 409 ``THC-APPT-004``; a clinician outside their hours, on leave or on
a public holiday 409 ``THC-CAL-002``; a time off the 15-minute grid 422 ``THC-CAL-001``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from thecal.domain.scheduling import (
    Appointment,
    PurposeKind,
    ReminderDetail,
    ReminderPreference,
    VisitNeed,
    VisitPurpose,
    VisitType,
)
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.schemas.fields import Ident, IsoInstant, Whole, text_rule
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.scheduling.appointments import (
    BookAppointment,
    CancelAppointment,
    DayEntry,
    ListAppointments,
    PatientAppointments,
    RecordVisitOutcome,
    RescheduleAppointment,
    book_appointment,
    cancel_appointment,
    list_appointments,
    patient_appointments,
    record_visit_outcome,
    reschedule_appointment,
)
from thecal.services.scheduling.calendars import ListVisitNeeds, list_visit_needs
from thecal.services.scheduling.reminders import (
    GetReminderPreference,
    SetReminderPreference,
    reminder_preference,
    set_reminder_preference,
)

__all__ = ["AppointmentCreate", "AppointmentPublic", "appointment_public", "router"]

router = APIRouter(tags=["appointments"])

AppointmentId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Appointment id.")
]
PatientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Patient id.")]
VisitTypeCode = Literal[
    "consultation",
    "trial-day",
    "implant",
    "refill",
    "follow-up",
    "mri-interrogation",
    "replacement",
]
PurposeCode = Literal[
    "referral", "refill", "follow-up", "post-mri", "replacement", "trial", "other"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PurposeIn(_Strict):
    kind: PurposeCode
    ref: Ident | None = Field(default=None, description="The record it is for (pump, procedure …)")
    time_point: Annotated[str, text_rule(40, 1)] | None = Field(
        default=None, description="A follow-up's time point, e.g. '3 months'"
    )


class AppointmentCreate(_Strict):
    patient_id: Ident
    visit_type: VisitTypeCode
    purpose: PurposeIn
    clinician_id: Ident
    room_id: Ident
    starts_at: IsoInstant = Field(description="On a quarter hour (UTC instant with offset)")
    note: Annotated[str, text_rule(500)] = ""
    baclofen_screening: Annotated[bool, Field(strict=True)] = False


class AppointmentMove(_Strict):
    starts_at: IsoInstant
    expected_version: Whole = Field(ge=1, le=1_000_000)
    clinician_id: Ident | None = None
    room_id: Ident | None = None


class AppointmentCancel(_Strict):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    reason: Annotated[str, text_rule(500, 1)]


class AppointmentOutcomeIn(_Strict):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    outcome: Literal["attended", "no-show"]


class PurposePublic(_Strict):
    kind: str
    ref: str | None
    time_point: str | None


class AppointmentPublic(_Strict):
    id: str
    patient_id: str
    visit_type: str
    purpose: PurposePublic
    clinician_id: str
    room_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    clinician_ends_at: dt.datetime
    state: str
    note: str
    reason: str | None
    replaces: str | None
    replaced_by: str | None
    version: int
    patient: str | None = None
    mrn: str | None = None
    clinician: str | None = None
    room: str | None = None


class AppointmentsPublic(_Strict):
    items: list[AppointmentPublic]


class VisitNeedPublic(_Strict):
    id: str
    visit_type: str
    purpose: PurposePublic
    earliest: dt.datetime
    target: dt.datetime
    latest: dt.datetime
    reason: str
    state: str = Field(description="open or booked")
    appointment_id: str | None


class VisitNeedsPublic(_Strict):
    items: list[VisitNeedPublic]


def _purpose(p: VisitPurpose) -> PurposePublic:
    return PurposePublic(kind=p.kind.value, ref=p.ref, time_point=p.time_point)


def appointment_public(a: Appointment, entry: DayEntry | None = None) -> AppointmentPublic:
    return AppointmentPublic(
        id=a.id,
        patient_id=a.patient_id,
        visit_type=a.visit_type.value,
        purpose=_purpose(a.purpose),
        clinician_id=a.clinician_id,
        room_id=a.room_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        clinician_ends_at=a.clinician_ends_at,
        state=a.state.value,
        note=a.note,
        reason=a.reason,
        replaces=a.replaces,
        replaced_by=a.replaced_by,
        version=a.version,
        patient=entry.patient if entry else None,
        mrn=entry.mrn if entry else None,
        clinician=entry.clinician if entry else None,
        room=entry.room if entry else None,
    )


def need_public(n: VisitNeed) -> VisitNeedPublic:
    return VisitNeedPublic(
        id=n.id,
        visit_type=n.visit_type.value,
        purpose=_purpose(n.purpose),
        earliest=n.earliest,
        target=n.target,
        latest=n.latest,
        reason=n.reason,
        state=n.state.value,
        appointment_id=n.appointment_id,
    )


@router.get(
    "/appointments",
    response_model=AppointmentsPublic,
    summary="Visits starting in [start, end) — a day or a week (audited)",
)
def read_range(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    start: Annotated[dt.datetime, Query(description="ISO instant with offset")],
    end: Annotated[dt.datetime, Query(description="ISO instant with offset; ≤ 31 days after")],
    clinician_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = None,
) -> AppointmentsPublic:
    found = thecal.run(
        list_appointments,
        ListAppointments(actor=actor, start=start, end=end, clinician_id=clinician_id),
    )
    return AppointmentsPublic(items=[appointment_public(e.appointment, e) for e in found])


@router.post(
    "/appointments",
    response_model=AppointmentPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Book a visit (the clinician and the room are never double-booked)",
)
def book(body: AppointmentCreate, actor: CurrentActor, thecal: ThecalDep) -> AppointmentPublic:
    appointment = thecal.run(
        book_appointment,
        BookAppointment(
            actor=actor,
            patient_id=body.patient_id,
            visit_type=VisitType(body.visit_type),
            purpose=VisitPurpose(
                kind=PurposeKind(body.purpose.kind),
                ref=body.purpose.ref,
                time_point=body.purpose.time_point,
            ),
            clinician_id=body.clinician_id,
            room_id=body.room_id,
            starts_at=body.starts_at,
            note=body.note,
            baclofen_screening=body.baclofen_screening,
            setup=thecal.scheduling,
        ),
    )
    return appointment_public(appointment)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response_model=AppointmentPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Move a booked visit (returns the new visit; the old one is marked rescheduled)",
)
def move(
    appointment_id: AppointmentId, body: AppointmentMove, actor: CurrentActor, thecal: ThecalDep
) -> AppointmentPublic:
    moved = thecal.run(
        reschedule_appointment,
        RescheduleAppointment(
            actor=actor,
            appointment_id=appointment_id,
            starts_at=body.starts_at,
            clinician_id=body.clinician_id,
            room_id=body.room_id,
            expected_version=body.expected_version,
            setup=thecal.scheduling,
        ),
    )
    return appointment_public(moved)


@router.post(
    "/appointments/{appointment_id}/cancellation",
    response_model=AppointmentPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Cancel a booked visit before it starts, with a reason",
)
def cancel(
    appointment_id: AppointmentId, body: AppointmentCancel, actor: CurrentActor, thecal: ThecalDep
) -> AppointmentPublic:
    cancelled = thecal.run(
        cancel_appointment,
        CancelAppointment(
            actor=actor,
            appointment_id=appointment_id,
            reason=body.reason,
            expected_version=body.expected_version,
            setup=thecal.scheduling,
        ),
    )
    return appointment_public(cancelled)


@router.post(
    "/appointments/{appointment_id}/outcome",
    response_model=AppointmentPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Record that the patient attended, or did not come",
)
def outcome(
    appointment_id: AppointmentId,
    body: AppointmentOutcomeIn,
    actor: CurrentActor,
    thecal: ThecalDep,
) -> AppointmentPublic:
    recorded = thecal.run(
        record_visit_outcome,
        RecordVisitOutcome(
            actor=actor,
            appointment_id=appointment_id,
            outcome=body.outcome,
            expected_version=body.expected_version,
            setup=thecal.scheduling,
        ),
    )
    return appointment_public(recorded)


@router.get(
    "/patients/{patient_id}/appointments",
    response_model=AppointmentsPublic,
    responses={404: {"model": Problem}},
    summary="A patient's visits (a patient: their own)",
)
def read_patient(
    patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep
) -> AppointmentsPublic:
    found = thecal.run(
        patient_appointments, PatientAppointments(actor=actor, patient_id=patient_id)
    )
    return AppointmentsPublic(items=[appointment_public(a) for a in found])


@router.get(
    "/patients/{patient_id}/visit-needs",
    response_model=VisitNeedsPublic,
    responses={404: {"model": Problem}},
    summary="The visits the patient's facts ask for, open ones first",
)
def read_needs(patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep) -> VisitNeedsPublic:
    found = thecal.run(list_visit_needs, ListVisitNeeds(actor=actor, patient_id=patient_id))
    return VisitNeedsPublic(items=[need_public(n) for n in found])


class ReminderPreferenceIn(_Strict):
    email: Annotated[bool, Field(strict=True)] = Field(description="send e-mail reminders")
    detail: Literal["time-only", "visit-type"] = Field(
        description="time-only: a visit and when; visit-type: also the kind of visit"
    )


class ReminderPreferencePublic(_Strict):
    patient_id: str
    email: bool
    detail: str
    version: int


def _preference(p: ReminderPreference) -> ReminderPreferencePublic:
    return ReminderPreferencePublic(
        patient_id=p.patient_id, email=p.email, detail=p.detail.value, version=p.version
    )


@router.get(
    "/patients/{patient_id}/reminder-preference",
    response_model=ReminderPreferencePublic,
    summary="What the patient's reminders may say (a patient: their own)",
)
def read_preference(
    patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep
) -> ReminderPreferencePublic:
    found = thecal.run(
        reminder_preference, GetReminderPreference(actor=actor, patient_id=patient_id)
    )
    return _preference(found)


@router.put(
    "/patients/{patient_id}/reminder-preference",
    response_model=ReminderPreferencePublic,
    responses={404: {"model": Problem}},
    summary="Set what the patient's reminders may say, or turn them off",
)
def write_preference(
    patient_id: PatientId, body: ReminderPreferenceIn, actor: CurrentActor, thecal: ThecalDep
) -> ReminderPreferencePublic:
    stored = thecal.run(
        set_reminder_preference,
        SetReminderPreference(
            actor=actor, patient_id=patient_id, email=body.email, detail=ReminderDetail(body.detail)
        ),
    )
    return _preference(stored)
