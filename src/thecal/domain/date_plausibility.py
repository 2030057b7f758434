"""Plausible dates: the window each kind of date field must fall in (issue 15 §5).

A date typed at an edge (a birth date, the day of a procedure, a visit's start, an admixture's
beyond-use date) is checked against the window of its kind before anything is stored, so year 1
or year 9999 is refused with :class:`DateOutOfRange`, which names the field, the value and the
allowed range. Time is passed in (``today`` or ``now``); nothing here reads the wall clock.

Every window is clinic policy: no retrieved source gives a number. The reasoning behind each is
in its ``why`` and here:

* **Birth date** (:data:`BIRTH_DATE`): not after today and at most 120 years back — the oldest
  documented human lived 122 years, so an older date is a mistyped century.
* **Recorded event** (:data:`RECORDED_DAY`, :data:`RECORDED_INSTANT`): a procedure, an assessment,
  a trial observation, a transfer — something that already happened. Not before 1950 (no
  intrathecal record predates it: implanted drug pumps came in the 1980s) and not after today
  plus one day for a date (the clinic's day may already be tomorrow in UTC) or now plus
  :data:`CLOCK_SKEW` for an instant (two machines' clocks differ by a little).
* **Appointment** (:data:`APPOINTMENT`): a visit starts at most :data:`APPOINTMENT_AHEAD` ahead;
  how far back one may be booked is the booking rule's own business (it refuses the past), the
  window only keeps the year sane.
* **Closure** (:data:`CLOSURE`): a clinic closure or leave, up to a year back (to record one
  late) and five years ahead.
* **Beyond-use date** (:data:`BEYOND_USE`): at most a year ahead (no intrathecal admixture keeps
  that long) and at most a year back: a recent past date reaches the "beyond-use date passed"
  rule with its own message; an older one is a typing error.
* **Planned scan** (:data:`PLANNED_SCAN`) and **trial read-out** (:data:`TRIAL_READOUT`): a year
  and a month ahead at most.
* **Report day** (:data:`REPORT_DAY`): a day a search or report is asked for (a calendar range,
  an audit filter, an outcome report's "as of"): 1950 to ten years ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.errors import ValueOutOfRange

__all__ = [
    "APPOINTMENT",
    "APPOINTMENT_AHEAD",
    "BEYOND_USE",
    "BIRTH_DATE",
    "CLOCK_SKEW",
    "CLOSURE",
    "EARLIEST_RECORD",
    "MAX_AGE_YEARS",
    "PLANNED_SCAN",
    "RECORDED_DAY",
    "RECORDED_INSTANT",
    "REPORT_DAY",
    "TRIAL_READOUT",
    "DateOutOfRange",
    "DateWindow",
    "check_date",
    "check_instant",
]

#: The oldest age accepted on a birth date (clinic policy, see the module text).
MAX_AGE_YEARS = 120
#: No clinical record thecal holds predates this day (clinic policy, see the module text).
EARLIEST_RECORD = dt.date(1950, 1, 1)
#: How far a recorded instant may lie ahead of the server's clock (clinic policy).
CLOCK_SKEW = dt.timedelta(minutes=5)
#: How far ahead a visit may be booked (clinic policy: two years of follow-up).
APPOINTMENT_AHEAD = dt.timedelta(days=2 * 366)


class DateOutOfRange(ValueOutOfRange):
    """A date outside the plausible window of its kind (:class:`DateWindow`)."""

    code = "THC-INPUT-004"
    template = (
        "{where}: {value} is not a plausible {kind}; it must be from {earliest} to {latest} ({why})"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DateWindow:
    """Where a kind of date may fall, relative to today (or now) and to a fixed earliest day.

    ``back`` is how far before today a value may be (``None``: only ``earliest`` bounds it);
    ``ahead`` how far after today (for a date) or now (for an instant).
    """

    kind: str
    ahead: dt.timedelta
    why: str
    back_years: int | None = None
    back: dt.timedelta | None = None
    earliest: dt.date = EARLIEST_RECORD

    def first_day(self, today: dt.date) -> dt.date:
        """The earliest day allowed when today is ``today``."""
        first = self.earliest
        if self.back_years is not None:
            first = max(first, _years_before(today, self.back_years))
        if self.back is not None:
            first = max(first, _minus(today, self.back))
        return first

    def last_instant(self, now: dt.datetime) -> dt.datetime:
        """The latest instant allowed when it is ``now`` (timezone-aware)."""
        try:
            return now + self.ahead
        except OverflowError:  # pragma: no cover - only near year 9999
            return dt.datetime.max.replace(tzinfo=dt.UTC)

    def last_day(self, today: dt.date) -> dt.date:
        """The latest day allowed when today is ``today``."""
        try:
            return today + dt.timedelta(days=self.ahead.days)
        except OverflowError:  # pragma: no cover - only near year 9999
            return dt.date.max


def _years_before(day: dt.date, years: int) -> dt.date:
    year = max(1, day.year - years)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=year, day=28)


def _minus(day: dt.date, span: dt.timedelta) -> dt.date:
    try:
        return day - dt.timedelta(days=span.days)
    except OverflowError:  # pragma: no cover - only near year 1
        return dt.date.min


BIRTH_DATE = DateWindow(
    kind="birth date",
    back_years=MAX_AGE_YEARS,
    earliest=dt.date.min,
    ahead=dt.timedelta(0),
    why=f"not after today and at most {MAX_AGE_YEARS} years ago",
)
RECORDED_DAY = DateWindow(
    kind="date of something that happened",
    ahead=dt.timedelta(days=1),
    why=f"not before {EARLIEST_RECORD.year} and not in the future",
)
RECORDED_INSTANT = DateWindow(
    kind="time of something that happened",
    ahead=CLOCK_SKEW,
    why=f"not before {EARLIEST_RECORD.year} and not in the future",
)
APPOINTMENT = DateWindow(
    kind="visit start",
    back=dt.timedelta(days=366),
    ahead=APPOINTMENT_AHEAD,
    why="a visit is booked at most two years ahead",
)
CLOSURE = DateWindow(
    kind="closure day",
    back=dt.timedelta(days=366),
    ahead=dt.timedelta(days=5 * 366),
    why="at most a year back and five years ahead",
)
BEYOND_USE = DateWindow(
    kind="beyond-use date",
    back=dt.timedelta(days=366),
    ahead=dt.timedelta(days=366),
    why="no intrathecal admixture keeps for more than a year",
)
PLANNED_SCAN = DateWindow(
    kind="scan time",
    back=dt.timedelta(days=366),
    ahead=dt.timedelta(days=366),
    why="an MRI is planned at most a year ahead",
)
TRIAL_READOUT = DateWindow(
    kind="trial read-out time",
    ahead=dt.timedelta(days=31),
    why="a trial is read out within a month",
)
REPORT_DAY = DateWindow(
    kind="date for a search, report or calculation",
    ahead=dt.timedelta(days=10 * 366),
    why=f"from {EARLIEST_RECORD.year} to ten years ahead",
)


def check_date(where: str, value: dt.date, window: DateWindow, *, today: dt.date) -> dt.date:
    """``value`` if it lies in ``window`` when today is ``today``.

    Raises:
        DateOutOfRange: naming ``where`` (the field), the value and the window.
    """
    first, last = window.first_day(today), window.last_day(today)
    if not first <= value <= last:
        raise DateOutOfRange(
            where=where,
            name=where,
            value=value.isoformat(),
            kind=window.kind,
            earliest=first.isoformat(),
            latest=last.isoformat(),
            expected=f"from {first.isoformat()} to {last.isoformat()}",
            why=window.why,
        )
    return value


def check_instant(
    where: str, value: dt.datetime, window: DateWindow, *, now: dt.datetime
) -> dt.datetime:
    """``value`` (timezone-aware) if it lies in ``window`` when it is ``now``.

    Raises:
        DateOutOfRange: naming ``where`` (the field), the value and the window.
    """
    first = dt.datetime.combine(window.first_day(now.astimezone(dt.UTC).date()), dt.time(0), dt.UTC)
    last = window.last_instant(now)
    if not first <= value <= last:
        earliest, latest = first.date().isoformat(), _minute(last)
        raise DateOutOfRange(
            where=where,
            name=where,
            value=_minute(value),
            kind=window.kind,
            earliest=earliest,
            latest=latest,
            expected=f"from {earliest} to {latest}",
            why=window.why,
        )
    return value


def _minute(value: dt.datetime) -> str:
    try:  # isoformat, not strftime: year 1 is "0001", not "1"
        utc = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"{utc.isoformat(sep=' ', timespec='minutes')} UTC"
    except OverflowError:  # year 1 or 9999 with an offset that crosses the calendar's edge
        return value.isoformat(timespec="minutes")
