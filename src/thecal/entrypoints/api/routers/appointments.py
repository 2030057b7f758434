"""``/appointments``: book, move, cancel and record visits; a day or a week of visits; a
patient's visits and the visits their facts ask for (``services/scheduling/appointments.py``).

A slot already booked is 409 ``THC-APPT-004``; a clinician outside their hours, on leave or on
a public holiday 409 ``THC-CAL-002``; a time off the 15-minute grid 422 ``THC-CAL-001``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from thecal.domain.scheduling import (
    PurposeKind,
    ReminderDetail,
    VisitPurpose,
    VisitType,
)
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.appointments import (
    INSTANT_TEXT,
    appointment_public,
    need_public,
    preference_public,
    query_instant,
)
from thecal.entrypoints.api.schemas.appointments import (
    AppointmentCancel,
    AppointmentCreate,
    AppointmentMove,
    AppointmentOutcomeIn,
    AppointmentPublic,
    AppointmentsPublic,
    ReminderPreferenceIn,
    ReminderPreferencePublic,
    VisitNeedsPublic,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.scheduling.appointments import (
    BookAppointment,
    CancelAppointment,
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


@router.get(
    "/appointments",
    response_model=AppointmentsPublic,
    summary="Visits starting in [start, end) — a day or a week (audited)",
)
def read_range(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    start: Annotated[str, Query(pattern=INSTANT_TEXT, description="ISO instant with offset")],
    end: Annotated[
        str, Query(pattern=INSTANT_TEXT, description="ISO instant with offset; ≤ 31 days after")
    ],
    clinician_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = None,
) -> AppointmentsPublic:
    found = thecal.run(
        list_appointments,
        ListAppointments(
            actor=actor,
            start=query_instant(start, "start", now=thecal.clock.now()),
            end=query_instant(end, "end", now=thecal.clock.now()),
            clinician_id=clinician_id,
        ),
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


@router.get(
    "/patients/{patient_id}/reminder-preference",
    response_model=ReminderPreferencePublic,
    summary="What the patient's reminders may say (a patient: their own)",
)
def readpreference_public(
    patient_id: PatientId, actor: CurrentActor, thecal: ThecalDep
) -> ReminderPreferencePublic:
    found = thecal.run(
        reminder_preference, GetReminderPreference(actor=actor, patient_id=patient_id)
    )
    return preference_public(found)


@router.put(
    "/patients/{patient_id}/reminder-preference",
    response_model=ReminderPreferencePublic,
    responses={404: {"model": Problem}},
    summary="Set what the patient's reminders may say, or turn them off",
)
def writepreference_public(
    patient_id: PatientId, body: ReminderPreferenceIn, actor: CurrentActor, thecal: ThecalDep
) -> ReminderPreferencePublic:
    stored = thecal.run(
        set_reminder_preference,
        SetReminderPreference(
            actor=actor, patient_id=patient_id, email=body.email, detail=ReminderDetail(body.detail)
        ),
    )
    return preference_public(stored)
