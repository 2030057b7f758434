"""iCalendar (RFC 5545) files with the ``icalendar`` library: a visit's invitation attached to a
reminder (``METHOD:REQUEST``, or ``CANCEL`` for a cancelled visit) and a clinician's feed
(``METHOD:PUBLISH``). Times are written in UTC; the entries carry only what the caller put in
their summary and location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from thecal.services.scheduling.mail import CalendarEvent

__all__ = ["feed_calendar", "invitation"]

_PRODID = "-//thecal//scheduling//EN"


def _calendar(method: str, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(entry: CalendarEvent, stamp: dt.datetime, organizer: str | None) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", entry.starts_at.astimezone(dt.UTC))
    event.add("dtend", entry.ends_at.astimezone(dt.UTC))
    event.add("summary", entry.summary)
    event.add("location", entry.location)
    event.add("sequence", entry.sequence)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if organizer:
        event.add("organizer", f"mailto:{organizer}")
    return event


def invitation(entry: CalendarEvent, *, stamp: dt.datetime, organizer: str) -> bytes:
    calendar = _calendar("CANCEL" if entry.cancelled else "REQUEST")
    calendar.add_component(_event(entry, stamp, organizer))
    return bytes(calendar.to_ical())


def feed_calendar(entries: Sequence[CalendarEvent], *, stamp: dt.datetime, name: str) -> bytes:
    calendar = _calendar("PUBLISH", name)
    for entry in entries:
        calendar.add_component(_event(entry, stamp, None))
    return bytes(calendar.to_ical())
