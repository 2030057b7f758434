"""A clinician's availability from the calendars (working hours, closures, public holidays), and
the free times a visit of a given type fits into (clinician and room both free)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.scheduling import SLOT, Availability, Room, VisitTypeSpec, slot_starts
from thecal.domain.users import User
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["FreeTime", "availability_of", "free_times"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FreeTime:
    starts_at: dt.datetime
    clinician_id: str
    clinician: str
    room_id: str
    room: str


def availability_of(
    uow: AbstractUnitOfWork, setup: ClinicSetup, user: User, *, first: dt.date, last: dt.date
) -> Availability:
    return Availability(
        clinician=user.display_name,
        zone=setup.zone,
        hours=tuple(uow.calendars.working_hours(user.id)),
        closures=tuple(uow.calendars.closures(user_id=user.id, first=first, last=last)),
        holidays=dict(setup.holidays.between(first, last)),
    )


def _free(
    busy: set[tuple[str, dt.datetime]], resource: str, start: dt.datetime, end: dt.datetime
) -> bool:
    return all((resource, at) not in busy for at in slot_starts(start, end))


def free_times(
    uow: AbstractUnitOfWork,
    setup: ClinicSetup,
    spec: VisitTypeSpec,
    *,
    earliest: dt.datetime,
    latest: dt.datetime,
    clinician_ids: Sequence[str] | None = None,
    limit: int = 10,
) -> list[FreeTime]:
    """The first ``limit`` starts in ``[earliest, latest]`` with an eligible clinician free and
    working, and a room of the right place free for the whole visit, by time then clinician."""
    first, last = setup.local_day(earliest), setup.local_day(latest)
    candidates = clinician_ids if clinician_ids is not None else uow.calendars.scheduled_users()
    users = [u for ident in candidates if (u := uow.users.get(ident)) is not None]
    users = [u for u in users if u.active and u.role in spec.clinician_roles]
    places: list[Room] = [r for r in uow.calendars.rooms() if r.location is spec.location]
    if not users or not places:
        return []
    resources = [f"clinician:{u.id}" for u in users] + [f"room:{r.id}" for r in places]
    horizon_end = latest + spec.duration + SLOT
    busy = set(uow.appointments.busy(resources, earliest - spec.duration, horizon_end))
    found: list[FreeTime] = []
    for user in users:
        calendar = availability_of(uow, setup, user, first=first, last=last)
        for start in calendar.open_starts(
            first_day=first, last_day=last, length=spec.clinician_time
        ):
            if not earliest <= start <= latest:
                continue
            if not _free(busy, f"clinician:{user.id}", start, start + spec.clinician_time):
                continue
            room = next(
                (r for r in places if _free(busy, f"room:{r.id}", start, start + spec.duration)),
                None,
            )
            if room is not None:
                found.append(
                    FreeTime(
                        starts_at=start,
                        clinician_id=user.id,
                        clinician=user.display_name,
                        room_id=room.id,
                        room=room.name,
                    )
                )
                if len([f for f in found if f.clinician_id == user.id]) >= limit:
                    break
    found.sort(key=lambda f: (f.starts_at, f.clinician, f.room))
    return found[:limit]
