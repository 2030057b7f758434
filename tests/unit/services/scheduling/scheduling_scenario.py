"""The scheduling tests' clinic calendar, on top of the pathway scenario's people and patient:
rooms (two clinic rooms, a hospital theatre), working hours Monday–Friday 08:00–17:00 for every
clinician, and command builders with sensible defaults."""

from __future__ import annotations

import datetime as dt

from pathway_scenario import NURSE, PATIENT_ID, PHYSICIAN, SECOND_PHYSICIAN, actor

from thecal.domain.scheduling import Location, PurposeKind, VisitPurpose, VisitType, WorkingHours
from thecal.domain.users import Actor, Role
from thecal.services.scheduling.appointments import BookAppointment
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    put_room,
    set_working_hours,
)

__all__ = ["ADMIN", "WEEKDAYS", "book", "furnish", "monday"]

ADMIN = Actor(user_id="calendar-admin", role=Role.ADMIN)
WEEKDAYS = tuple(WorkingHours(weekday=d, starts=dt.time(8), ends=dt.time(17)) for d in range(5))


def monday(hour: int, minute: int = 0, *, weeks: int = 1) -> dt.datetime:
    """A Monday after the scenario's start (2026-01-05 09:00 is a Monday)."""
    return dt.datetime(2026, 1, 5, hour, minute, tzinfo=dt.UTC) + dt.timedelta(weeks=weeks)


def furnish(clinic: object) -> None:
    run = clinic.run  # type: ignore[attr-defined]
    for room, name, where in (
        ("room-1", "Room 1", Location.CLINIC),
        ("room-2", "Room 2", Location.CLINIC),
        ("theatre", "City Hospital theatre", Location.HOSPITAL),
    ):
        run(put_room, PutRoom(actor=ADMIN, room_id=room, name=name, location=where))
    for user in (PHYSICIAN, SECOND_PHYSICIAN, NURSE):
        run(set_working_hours, SetWorkingHours(actor=ADMIN, user_id=user.id, hours=WEEKDAYS))


def book(
    start: dt.datetime,
    *,
    by: Actor | None = None,
    clinician: str = NURSE.id,
    room: str = "room-1",
    visit_type: VisitType = VisitType.REFILL,
    purpose: VisitPurpose | None = None,
    patient_id: str = PATIENT_ID,
    appointment_id: str | None = None,
) -> BookAppointment:
    return BookAppointment(
        actor=by or actor(NURSE),
        patient_id=patient_id,
        visit_type=visit_type,
        purpose=purpose or VisitPurpose(kind=PurposeKind.OTHER),
        clinician_id=clinician,
        room_id=room,
        starts_at=start,
        appointment_id=appointment_id,
    )
