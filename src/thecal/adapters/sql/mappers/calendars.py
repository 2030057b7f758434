"""Row ↔ domain for ``rooms``, ``working_hours`` and ``calendar_closures``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from thecal.domain.scheduling import Closure, Location, Room, WorkingHours

__all__ = ["closure_from_row", "room_from_row", "working_hours_from_row"]

Row = Mapping[Any, Any]


def room_from_row(row: Row) -> Room:
    return Room(id=row["id"], name=row["name"], location=Location(row["location"]))


def working_hours_from_row(row: Row) -> WorkingHours:
    return WorkingHours(
        weekday=row["weekday"],
        starts=dt.time.fromisoformat(row["starts"]),
        ends=dt.time.fromisoformat(row["ends"]),
    )


def closure_from_row(row: Row) -> Closure:
    return Closure(
        id=row["id"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        reason=row["reason"],
        user_id=row["user_id"],
    )
