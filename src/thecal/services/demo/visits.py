"""The demo clinic's visits: its calendar, the follow-up visits of every episode booked and kept
(some moved, some missed), and the reminders the clinic sends from :data:`REMINDERS_AFTER_MONTHS`
months into the period (docs/demo.md).

Every act goes through the real use cases (``services/scheduling``): the rooms and working hours
are set by the administrator, visits are booked by the nurse at the first free time near the day
the course draws, moved with ``reschedule_appointment`` and recorded attended or no-show on the
day. Reminders go through ``send_due_reminders`` with :class:`SeedMailer`, the seed's simulated
mailbox (the clinic's past: nothing leaves the machine; it counts the messages). Randomness comes
from the patient's own generator, so the seed stays reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from thecal.domain.errors import Conflict
from thecal.domain.scheduling import (
    Location,
    PurposeKind,
    VisitPurpose,
    VisitType,
    WorkingHours,
)
from thecal.domain.time_points import DEFAULT_TIME_POINTS
from thecal.services.demo.context import SeedContext
from thecal.services.demo.questionnaires import Course
from thecal.services.scheduling.appointments import (
    BookAppointment,
    RecordVisitOutcome,
    RescheduleAppointment,
    VisitOutcome,
    book_appointment,
    record_visit_outcome,
    reschedule_appointment,
)
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    SuggestTimes,
    put_room,
    set_working_hours,
    suggest_times,
)
from thecal.services.scheduling.mail import OutgoingMail
from thecal.services.scheduling.reminders import ClaimDueReminders, send_due_reminders

__all__ = [
    "MOVED_PERCENT",
    "REMINDERS_AFTER_MONTHS",
    "SeedMailer",
    "follow_up_acts",
    "furnish_calendar",
    "reminder_course",
]

#: The clinic starts sending reminders this many months into the three years (demo assumption).
REMINDERS_AFTER_MONTHS = 18
#: Follow-up visits moved once, a week before, by one to three days (demo assumption).
MOVED_PERCENT = 10
_ROOMS = (
    ("room-1", "Room 1", Location.CLINIC),
    ("room-2", "Room 2", Location.CLINIC),
    ("trial-bay", "Trial bay", Location.CLINIC),
    ("city-hospital", "City Hospital theatre", Location.HOSPITAL),
)
# the demo clinic sees patients every day, 08:00–18:00 UTC (demo assumption: its acts fall on any day)
_WEEK = tuple(WorkingHours(weekday=d, starts=dt.time(8), ends=dt.time(18)) for d in range(7))
_POINT = {p.target_day: p for p in DEFAULT_TIME_POINTS}

Act = Callable[[], None]


class SeedMailer:
    """The seed's simulated mailbox: takes every message, counts it, sends nothing."""

    def __init__(self) -> None:
        self.messages = 0

    def send(self, mail: OutgoingMail) -> str:
        del mail
        self.messages += 1
        return "250 demo seed: delivered to the simulated patient"


def reminders_start(first_day: dt.date) -> dt.date:
    return first_day + dt.timedelta(days=round(REMINDERS_AFTER_MONTHS * 365 / 12))


def furnish_calendar(ctx: SeedContext) -> None:
    """Rooms and the clinicians' working hours (the administrator, on the first day)."""
    admin = ctx.staff.administrator
    for room_id, name, where in _ROOMS:
        ctx.clinic.run(put_room, PutRoom(actor=admin, room_id=room_id, name=name, location=where))
    for clinician in (ctx.staff.physician, ctx.staff.second_physician, ctx.staff.nurse):
        ctx.clinic.run(
            set_working_hours, SetWorkingHours(actor=admin, user_id=clinician.user_id, hours=_WEEK)
        )


def reminder_course(ctx: SeedContext, first_day: dt.date) -> Iterator[dt.datetime]:
    """The reminders job: every morning from the day the clinic starts sending reminders."""
    mailer = SeedMailer()
    day = reminders_start(first_day)
    while day < ctx.today:
        yield dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
        report = send_due_reminders(
            ClaimDueReminders(actor=ctx.staff.administrator), run=ctx.clinic.run, mailer=mailer
        )
        ctx.tally.add("reminders sent", report.sent)
        day += dt.timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Planned:
    target: int  # the time point's target day
    day: int  # the day the patient is due (the course's visit day, or the target)
    kept: bool


def _plan(course: Course, last_follow_up: int) -> list[_Planned]:
    kept = {_target_of(v.day): v.day for v in course.follow_ups}
    planned = [_Planned(target=t, day=d, kept=True) for t, d in kept.items()]
    planned += [_Planned(target=t, day=t, kept=False) for t in course.missed]
    if course.lost_at is not None and course.lost_at <= last_follow_up:
        planned.append(_Planned(target=course.lost_at, day=course.lost_at, kept=False))
    return sorted(planned, key=lambda p: p.target)


def _target_of(day: int) -> int:
    return min(_POINT, key=lambda target: abs(target - day))


def follow_up_acts(
    ctx: SeedContext,
    *,
    rng: random.Random,
    patient_id: str,
    procedure_id: str,
    procedure_day: dt.date,
    course: Course,
    keep: Callable[[int], Act],
    last_follow_up: int = 365,
) -> list[tuple[dt.datetime, Act]]:
    """Book the episode's follow-up visits now (the procedure's day) and return the acts that
    follow, in time order: a move a week before some, and on each visit's day attended (with
    ``keep(day)``, the questionnaires of the course's visit that day) or no-show."""
    acts: list[tuple[dt.datetime, Act]] = []
    for planned in _plan(course, last_follow_up):
        point = _POINT[planned.target]
        due = dt.datetime.combine(
            procedure_day + dt.timedelta(days=planned.day), dt.time(8), tzinfo=dt.UTC
        )
        latest = dt.datetime.combine(
            procedure_day + dt.timedelta(days=point.last_day), dt.time(17), tzinfo=dt.UTC
        )
        visit = _book(
            ctx,
            patient_id=patient_id,
            procedure_id=procedure_id,
            time_point=point.name,
            due=due,
            latest=latest,
        )
        if visit is None:
            if planned.kept:
                acts.append((due + dt.timedelta(hours=rng.randrange(1, 9)), keep(planned.day)))
            continue
        appointment_id, start = visit
        if rng.randrange(100) < MOVED_PERCENT and start - dt.timedelta(days=7) > ctx.clock.now():
            moved = _move_target(ctx, start, latest, rng)
            if moved is not None:
                box: dict[str, str] = {"id": appointment_id}
                acts.append((start - dt.timedelta(days=7), _mover(ctx, box, moved)))
                acts.append((moved, _outcome(ctx, box, kept=planned.kept, keep=keep(planned.day))))
                continue
        acts.append(
            (
                start,
                _outcome(ctx, {"id": appointment_id}, kept=planned.kept, keep=keep(planned.day)),
            )
        )
    return sorted((a for a in acts if a[0].date() < ctx.today), key=lambda a: a[0])


def _free(
    ctx: SeedContext, earliest: dt.datetime, latest: dt.datetime
) -> tuple[str, str, dt.datetime] | None:
    found = ctx.clinic.run(
        suggest_times,
        SuggestTimes(
            actor=ctx.staff.nurse,
            visit_type=VisitType.FOLLOW_UP,
            earliest=earliest,
            latest=min(latest, earliest + dt.timedelta(days=3)),
            limit=1,
        ),
    )
    return (found[0].clinician_id, found[0].room_id, found[0].starts_at) if found else None


def _book(
    ctx: SeedContext,
    *,
    patient_id: str,
    procedure_id: str,
    time_point: str,
    due: dt.datetime,
    latest: dt.datetime,
) -> tuple[str, dt.datetime] | None:
    free = _free(ctx, due, latest)
    if free is None:
        return None
    clinician, room, start = free
    try:
        booked = ctx.clinic.run(
            book_appointment,
            BookAppointment(
                actor=ctx.staff.nurse,
                patient_id=patient_id,
                visit_type=VisitType.FOLLOW_UP,
                purpose=VisitPurpose(
                    kind=PurposeKind.FOLLOW_UP, ref=procedure_id, time_point=time_point
                ),
                clinician_id=clinician,
                room_id=room,
                starts_at=start,
            ),
        )
    except Conflict:  # taken in the meantime: the visit goes unbooked
        return None
    ctx.tally.add("visits booked")
    return booked.id, booked.starts_at


def _move_target(
    ctx: SeedContext, start: dt.datetime, latest: dt.datetime, rng: random.Random
) -> dt.datetime | None:
    later = start + dt.timedelta(days=rng.randint(1, 3))
    free = _free(ctx, later, latest)
    return free[2] if free is not None else None


def _mover(ctx: SeedContext, box: dict[str, str], to: dt.datetime) -> Act:
    def act() -> None:
        try:
            moved = ctx.clinic.run(
                reschedule_appointment,
                RescheduleAppointment(
                    actor=ctx.staff.nurse, appointment_id=box["id"], starts_at=to
                ),
            )
        except Conflict:  # the new time was taken meanwhile: the visit stays where it was
            return
        box["id"] = moved.id
        ctx.tally.add("visits moved")

    return act


def _outcome(ctx: SeedContext, box: dict[str, str], *, kept: bool, keep: Act) -> Act:
    def act() -> None:
        ctx.clinic.run(
            record_visit_outcome,
            RecordVisitOutcome(
                actor=ctx.staff.nurse,
                appointment_id=box["id"],
                outcome=VisitOutcome.ATTENDED if kept else VisitOutcome.NO_SHOW,
            ),
        )
        ctx.tally.add("visits attended" if kept else "visits missed")
        if kept:
            keep()

    return act
