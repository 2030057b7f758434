"""Documents of ``/calendar``: rooms, working hours, closures, free times, a feed URL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from thecal.entrypoints.api.schemas.fields import Ident, In, IsoDate, Out, text_rule

__all__ = [
    "CalendarPublic",
    "Clock",
    "ClosureIn",
    "ClosurePublic",
    "FeedIssuedPublic",
    "FreeTimePublic",
    "FreeTimesPublic",
    "HoursIn",
    "HoursPublic",
    "RoomIn",
    "RoomPublic",
    "WeekIn",
]

#: A quarter hour of the clinic's local day, ``HH:MM``.
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):(00|15|30|45)$")]


class RoomIn(In):
    name: Annotated[str, text_rule(100, 1)]
    location: Literal["clinic", "hospital"]


class RoomPublic(Out):
    id: str
    name: str
    location: str


class HoursIn(In):
    weekday: Annotated[int, Field(ge=0, le=6, strict=True)] = Field(description="0 = Monday")
    starts: Clock
    ends: Clock


class WeekIn(In):
    hours: list[HoursIn] = Field(max_length=28)


class HoursPublic(Out):
    weekday: int
    starts: str
    ends: str


class ClosureIn(In):
    starts_on: IsoDate
    ends_on: IsoDate
    reason: Annotated[str, text_rule(200, 1)]
    user_id: Ident | None = Field(default=None, description="A clinician's leave; none: the clinic")


class ClosurePublic(Out):
    id: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    user_id: str | None


class CalendarPublic(Out):
    rooms: list[RoomPublic]
    working_hours: dict[str, list[HoursPublic]]
    clinicians: dict[str, str]
    closures: list[ClosurePublic]


class FreeTimePublic(Out):
    starts_at: dt.datetime
    clinician_id: str
    clinician: str
    room_id: str
    room: str


class FreeTimesPublic(Out):
    items: list[FreeTimePublic]


class FeedIssuedPublic(Out):
    feed_id: str
    url: str = Field(description="Shown once: the secret address of the .ics feed")
