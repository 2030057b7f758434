"""Clinician calendars: working hours, closures and public holidays, in the clinic's time zone.

Bookings are made in **slots** of :data:`SLOT` (15 minutes): a visit starts on a slot boundary
and takes a whole number of slots. The database keeps one row per (resource, slot) a booked visit
occupies, under a unique key, so two bookings of the same clinician or room in the same slot can
never both commit (``adapters`` and ``docs/scheduling.md``); :func:`slot_starts` lists them.

A clinician is *available* for ``[start, end)`` when the interval lies inside one of their working
hours on that local day and the day is neither a public holiday (from the ``holidays`` library,
the clinic's country and subdivision a setting) nor inside a closure of the clinic or of the
clinician (leave). Availability is checked when a visit is booked or moved; a closure added later
does not cancel visits already booked (the day view shows them, for the clinic to move).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from thecal.domain.actors import require_aware, require_text
from thecal.domain.errors import Conflict, RequestInvalid
from thecal.domain.scheduling.visit_types import Location

__all__ = [
    "MAX_CLOSURE_DAYS",
    "SLOT",
    "Availability",
    "ClinicianUnavailable",
    "Closure",
    "NotOnSlotBoundary",
    "Room",
    "WorkingHours",
    "WorkingHoursInvalid",
    "slot_starts",
]

#: The booking grid: visits start on a quarter hour and last whole quarter hours (clinic choice).
SLOT = dt.timedelta(minutes=15)
MAX_CLOSURE_DAYS = 366
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NotOnSlotBoundary(RequestInvalid):
    code = "THC-CAL-001"
    template = (
        "{what} {at} is not on the booking grid: visits start on a quarter hour "
        "(:00, :15, :30, :45) and last whole quarter hours"
    )


class ClinicianUnavailable(Conflict):
    code = "THC-CAL-002"
    template = "{clinician} is not available {start} – {end}: {reason}"


class WorkingHoursInvalid(RequestInvalid):
    code = "THC-CAL-003"
    template = "invalid {where}: {detail}"


def _on_grid(at: dt.datetime) -> bool:
    since_midnight = dt.timedelta(hours=at.hour, minutes=at.minute, seconds=at.second)
    return at.microsecond == 0 and since_midnight % SLOT == dt.timedelta(0)


def slot_starts(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, ...]:
    """The slots ``[start, end)`` occupies, as UTC instants.

    Raises:
        NaiveTimestamp: a naive instant.
        NotOnSlotBoundary: ``start`` or ``end`` off the 15-minute grid (in UTC).
        WorkingHoursInvalid: ``end`` not after ``start``.
    """
    start = require_aware(start, name="visit start").astimezone(dt.UTC)
    end = require_aware(end, name="visit end").astimezone(dt.UTC)
    for what, at in (("start", start), ("end", end)):
        if not _on_grid(at):
            raise NotOnSlotBoundary(what=what, at=at.isoformat())
    if end <= start:
        raise WorkingHoursInvalid(where="visit", detail="the end must be after the start")
    count = (end - start) // SLOT
    return tuple(start + i * SLOT for i in range(count))


@dataclass(frozen=True, slots=True, kw_only=True)
class Room:
    """A place visits are booked into: a clinic room, or a hospital's theatre."""

    id: str
    name: str
    location: Location

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", require_text(self.name, name="room name"))
        if len(self.name) > 100:
            raise WorkingHoursInvalid(where="room name", detail="at most 100 characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkingHours:
    """One block of a clinician's working week, in the clinic's local time: Monday = 0."""

    weekday: int
    starts: dt.time
    ends: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise WorkingHoursInvalid(where="weekday", detail="must be 0 (Monday) to 6 (Sunday)")
        if self.ends <= self.starts:
            raise WorkingHoursInvalid(
                where="working hours", detail=f"{self.starts}–{self.ends} ends before it starts"
            )
        for name, at in (("start", self.starts), ("end", self.ends)):
            if at.second or at.microsecond or at.minute % 15:
                raise WorkingHoursInvalid(
                    where=f"working hours {name}", detail=f"{at} is not on a quarter hour"
                )

    def describe(self) -> str:
        return f"{_WEEKDAYS[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    """Days the clinic (``user_id`` None) or one clinician (leave) does not see patients."""

    id: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive
    reason: str
    user_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", require_text(self.reason, name="closure reason"))
        if len(self.reason) > 200:
            raise WorkingHoursInvalid(where="closure reason", detail="at most 200 characters")
        if self.ends_on < self.starts_on:
            raise WorkingHoursInvalid(where="closure", detail="ends before it starts")
        if (self.ends_on - self.starts_on).days >= MAX_CLOSURE_DAYS:
            raise WorkingHoursInvalid(
                where="closure", detail=f"at most {MAX_CLOSURE_DAYS} days at a time"
            )

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True, kw_only=True)
class Availability:
    """When one clinician can see patients: working hours, closures, holidays, time zone."""

    clinician: str  # a name for messages
    zone: ZoneInfo
    hours: tuple[WorkingHours, ...]
    closures: tuple[Closure, ...] = ()
    holidays: Mapping[dt.date, str] = field(default_factory=dict)

    def refusal(self, start: dt.datetime, end: dt.datetime) -> str | None:
        """Why the clinician cannot be booked for ``[start, end)``; None when they can."""
        local_start = start.astimezone(self.zone)
        last = (end - dt.timedelta(microseconds=1)).astimezone(self.zone)  # [start, end)
        day = local_start.date()
        if last.date() != day:
            return "a visit's clinician time must fall within one working day"
        if day in self.holidays:
            return f"{day} is a public holiday ({self.holidays[day]})"
        for closure in self.closures:
            if closure.covers(day):
                whose = "the clinic is closed" if closure.user_id is None else "on leave"
                return f"{whose} {closure.starts_on} – {closure.ends_on} ({closure.reason})"
        starts, ends = local_start.time(), last.time()
        for block in self.hours:
            if block.weekday == day.weekday() and block.starts <= starts and ends < block.ends:
                return None
        worked = [b.describe() for b in self.hours if b.weekday == day.weekday()]
        hours = ", ".join(worked) if worked else "no working hours that day"
        return f"outside working hours ({hours}; times in {self.zone.key})"

    def check(self, start: dt.datetime, end: dt.datetime) -> None:
        """Raise :class:`ClinicianUnavailable` unless the clinician can be booked."""
        reason = self.refusal(start, end)
        if reason is not None:
            raise ClinicianUnavailable(
                clinician=self.clinician,
                start=start.isoformat(),
                end=end.isoformat(),
                reason=reason,
            )

    def open_starts(
        self, *, first_day: dt.date, last_day: dt.date, length: dt.timedelta
    ) -> Iterator[dt.datetime]:
        """Every start (UTC, on the grid) from ``first_day`` to ``last_day`` (local days) at which
        ``length`` fits inside working hours on an open day, in time order."""
        day = first_day
        while day <= last_day:
            blocks: Sequence[WorkingHours] = sorted(
                (b for b in self.hours if b.weekday == day.weekday()), key=lambda b: b.starts
            )
            for block in blocks:
                at = dt.datetime.combine(day, block.starts, tzinfo=self.zone)
                close = dt.datetime.combine(day, block.ends, tzinfo=self.zone)
                while at + length <= close:
                    utc = at.astimezone(dt.UTC)
                    if self.refusal(utc, utc + length) is None:
                        yield utc
                    at += SLOT
            day += dt.timedelta(days=1)
