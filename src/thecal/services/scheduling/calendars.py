"""Calendar use cases: rooms, working hours and closures (clinic settings, administrators), the
free times a visit fits into, the visits the clinic's facts ask for, and re-planning them all.

Working hours, closures and rooms hold no PHI: reading them is authorized (``calendar.read``)
but not audited as a PHI read; every change is audited (``calendar.manage``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.date_plausibility import CLOSURE, check_date
from thecal.domain.errors import NotFound
from thecal.domain.scheduling import (
    Closure,
    Location,
    NeedState,
    Room,
    VisitNeed,
    VisitType,
    WorkingHours,
    WorkingHoursInvalid,
)
from thecal.domain.users import Actor, Role
from thecal.services.clock import Clock
from thecal.services.scheduling.availability import FreeTime, free_times
from thecal.services.scheduling.planning import replan_visits
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "AddClosure",
    "CalendarSettings",
    "GetVisitNeed",
    "ListVisitNeeds",
    "PlanAllVisits",
    "PutRoom",
    "ReadCalendars",
    "SetWorkingHours",
    "SuggestTimes",
    "VisitNeedNotFound",
    "add_closure",
    "get_visit_need",
    "list_visit_needs",
    "plan_all_visits",
    "put_room",
    "read_calendars",
    "set_working_hours",
    "suggest_times",
]

_CALENDARS = Subject.collection("calendars")


@dataclass(frozen=True, slots=True, kw_only=True)
class PutRoom:
    actor: Actor
    room_id: str
    name: str
    location: Location


def put_room(cmd: PutRoom, *, uow: AbstractUnitOfWork, clock: Clock) -> Room:
    authorize(cmd.actor, Action.CALENDAR_MANAGE, _CALENDARS)
    room = Room(id=cmd.room_id, name=cmd.name, location=cmd.location)
    with uow:
        uow.calendars.put_room(room)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CALENDAR_MANAGE,
            subject=_CALENDARS,
            at=clock.now(),
            details={"room": room.id, "name": room.name, "location": room.location.value},
        )
        uow.commit()
    return room


@dataclass(frozen=True, slots=True, kw_only=True)
class SetWorkingHours:
    actor: Actor
    user_id: str
    hours: tuple[WorkingHours, ...]


def set_working_hours(
    cmd: SetWorkingHours, *, uow: AbstractUnitOfWork, clock: Clock
) -> tuple[WorkingHours, ...]:
    """Replace a clinician's working week (blocks may not overlap)."""
    authorize(cmd.actor, Action.CALENDAR_MANAGE, _CALENDARS)
    ordered = sorted(cmd.hours, key=lambda h: (h.weekday, h.starts))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.starts < before.ends:
            raise WorkingHoursInvalid(
                where="working hours", detail=f"{before.describe()} overlaps {after.describe()}"
            )
    with uow:
        user = uow.users.get(cmd.user_id)
        if user is None or user.role not in {Role.PHYSICIAN, Role.NURSE}:
            raise WorkingHoursInvalid(where="user", detail=f"{cmd.user_id} is not a clinician")
        uow.calendars.set_working_hours(user.id, ordered)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CALENDAR_MANAGE,
            subject=_CALENDARS,
            at=clock.now(),
            details={"user_id": user.id, "hours": [h.describe() for h in ordered]},
        )
        uow.commit()
    return tuple(ordered)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddClosure:
    actor: Actor
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    user_id: str | None = None  # None: the whole clinic
    closure_id: str | None = None


def add_closure(cmd: AddClosure, *, uow: AbstractUnitOfWork, clock: Clock) -> Closure:
    """Close the clinic (or mark a clinician's leave) for whole days; visits already booked stay
    booked and show on the day view, for the clinic to move."""
    authorize(cmd.actor, Action.CALENDAR_MANAGE, _CALENDARS)
    today = clock.now().astimezone(dt.UTC).date()
    check_date("starts_on", cmd.starts_on, CLOSURE, today=today)
    check_date("ends_on", cmd.ends_on, CLOSURE, today=today)
    closure = Closure(
        id=cmd.closure_id or str(uuid.uuid4()),
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        reason=cmd.reason,
        user_id=cmd.user_id,
    )
    with uow:
        if cmd.user_id is not None and uow.users.get(cmd.user_id) is None:
            raise NotFound(kind="user", ident=cmd.user_id)
        uow.calendars.add_closure(closure)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CALENDAR_MANAGE,
            subject=_CALENDARS,
            at=clock.now(),
            details={
                "closure": closure.id,
                "user_id": closure.user_id,
                "from": closure.starts_on.isoformat(),
                "to": closure.ends_on.isoformat(),
                "reason": closure.reason,
            },
        )
        uow.commit()
    return closure


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadCalendars:
    actor: Actor
    first: dt.date
    last: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarSettings:
    rooms: tuple[Room, ...]
    hours: dict[str, tuple[WorkingHours, ...]]  # user id → their week
    names: dict[str, str]  # user id → display name
    closures: tuple[Closure, ...]


def read_calendars(
    cmd: ReadCalendars, *, uow: AbstractUnitOfWork, clock: Clock
) -> CalendarSettings:
    del clock
    authorize(cmd.actor, Action.CALENDAR_READ, _CALENDARS)
    with uow.reading():
        users = uow.calendars.scheduled_users()
        names = {u: (found.display_name if (found := uow.users.get(u)) else u) for u in users}
        closures: list[Closure] = []
        for user in [None, *users]:
            closures += [
                c
                for c in uow.calendars.closures(user_id=user, first=cmd.first, last=cmd.last)
                if c not in closures
            ]
        return CalendarSettings(
            rooms=tuple(uow.calendars.rooms()),
            hours={u: tuple(uow.calendars.working_hours(u)) for u in users},
            names=names,
            closures=tuple(sorted(closures, key=lambda c: (c.starts_on, c.id))),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SuggestTimes:
    actor: Actor
    visit_type: VisitType
    earliest: dt.datetime
    latest: dt.datetime
    clinician_id: str | None = None
    limit: int = 10
    setup: ClinicSetup = field(default_factory=ClinicSetup)


def suggest_times(cmd: SuggestTimes, *, uow: AbstractUnitOfWork, clock: Clock) -> list[FreeTime]:
    """The first free times for a visit of this type in ``[earliest, latest]`` (never in the
    past): an eligible clinician working and free, a room of the right place free."""
    authorize(cmd.actor, Action.CALENDAR_READ, _CALENDARS)
    earliest = max(cmd.earliest, clock.now())
    if cmd.latest < earliest:
        return []
    with uow.reading():
        return free_times(
            uow,
            cmd.setup,
            cmd.setup.spec(cmd.visit_type),
            earliest=earliest,
            latest=min(cmd.latest, earliest + dt.timedelta(days=62)),
            clinician_ids=[cmd.clinician_id] if cmd.clinician_id else None,
            limit=max(1, min(cmd.limit, 50)),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ListVisitNeeds:
    actor: Actor
    patient_id: str


def list_visit_needs(
    cmd: ListVisitNeeds, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[VisitNeed]:
    """A patient's visit needs whose window has not closed (open first), an audited read."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.APPOINTMENT_READ, subject)
    now = clock.now()
    with uow:
        found = [n for n in uow.visit_needs.for_patient(cmd.patient_id) if n.latest >= now]
    uow.audit_read(
        actor=cmd.actor,
        action=Action.APPOINTMENT_READ,
        subject=subject,
        at=now,
        details={"visit_needs": [n.id for n in found]},
    )
    return sorted(found, key=lambda n: (n.state is not NeedState.OPEN, n.latest, n.id))


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanAllVisits:
    actor: Actor
    setup: ClinicSetup = field(default_factory=ClinicSetup)


def plan_all_visits(cmd: PlanAllVisits, *, uow: AbstractUnitOfWork, clock: Clock) -> dict[str, int]:
    """Re-plan every patient's visit needs (after an upgrade; idempotent). Returns counts."""
    authorize(cmd.actor, Action.VISIT_PLAN, Subject.collection("visit needs"))
    counts = {"patients": 0, "open": 0, "booked": 0}
    with uow:
        for patient_id in uow.visit_needs.patients():
            needs = replan_visits(
                uow, patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
            )
            counts["patients"] += 1
            for need in needs:
                counts[need.state.value] += 1
        uow.audit.record(
            actor=cmd.actor,
            action=Action.VISIT_PLAN,
            subject=Subject.collection("visit needs"),
            at=clock.now(),
            details=counts,
        )
        uow.commit()
    return counts


@dataclass(frozen=True, slots=True, kw_only=True)
class GetVisitNeed:
    actor: Actor
    need_id: str


class VisitNeedNotFound(NotFound):
    code = "THC-APPT-006"
    template = "no visit to book {ident}"


def get_visit_need(cmd: GetVisitNeed, *, uow: AbstractUnitOfWork, clock: Clock) -> VisitNeed:
    """One visit need (the booking page's subject), an audited read."""
    authorize_function(cmd.actor, Action.APPOINTMENT_READ)
    with uow:
        need = uow.visit_needs.get(cmd.need_id)
        if need is None:
            raise VisitNeedNotFound(ident=cmd.need_id)
    subject = Subject.patient(need.patient_id)
    authorize(cmd.actor, Action.APPOINTMENT_READ, subject)
    uow.audit_read(
        actor=cmd.actor, action=Action.APPOINTMENT_READ, subject=subject, at=clock.now(),
        details={"visit_need": need.id},
    )  # fmt: skip
    return need
