"""The calendar repository: rooms, working hours, closures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.calendars import (
    closure_from_row,
    room_from_row,
    working_hours_from_row,
)
from thecal.adapters.sql.tables.calendars import calendar_closures, rooms, working_hours
from thecal.domain.scheduling import Closure, Room, WorkingHours
from thecal.services.repositories.calendars import CalendarRepository

__all__ = ["SqlAlchemyCalendarRepository"]


class SqlAlchemyCalendarRepository(CalendarRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session
        self.written = False

    def rooms(self) -> Sequence[Room]:
        statement = select(rooms).order_by(rooms.c.name)
        return [room_from_row(r) for r in self._s.execute(statement).mappings()]

    def put_room(self, room: Room) -> None:
        values = {"id": room.id, "name": room.name, "location": room.location.value}
        if self._s.execute(select(rooms.c.id).where(rooms.c.id == room.id)).first() is None:
            self._s.execute(insert(rooms).values(**values))
        else:
            self._s.execute(update(rooms).where(rooms.c.id == room.id).values(**values))
        self.written = True

    def working_hours(self, user_id: str) -> Sequence[WorkingHours]:
        statement = (
            select(working_hours)
            .where(working_hours.c.user_id == user_id)
            .order_by(working_hours.c.weekday, working_hours.c.starts)
        )
        return [working_hours_from_row(r) for r in self._s.execute(statement).mappings()]

    def scheduled_users(self) -> Sequence[str]:
        statement = select(working_hours.c.user_id).distinct().order_by(working_hours.c.user_id)
        return [str(r.user_id) for r in self._s.execute(statement)]

    def set_working_hours(self, user_id: str, hours: Sequence[WorkingHours]) -> None:
        self._s.execute(delete(working_hours).where(working_hours.c.user_id == user_id))
        if hours:
            self._s.execute(
                insert(working_hours),
                [
                    {
                        "user_id": user_id,
                        "weekday": h.weekday,
                        "starts": f"{h.starts:%H:%M}",
                        "ends": f"{h.ends:%H:%M}",
                    }
                    for h in hours
                ],
            )
        self.written = True

    def closures(self, *, user_id: str | None, first: dt.date, last: dt.date) -> Sequence[Closure]:
        whose: Any = calendar_closures.c.user_id.is_(None)
        if user_id is not None:
            whose = whose | (calendar_closures.c.user_id == user_id)
        statement = (
            select(calendar_closures)
            .where(
                whose, calendar_closures.c.ends_on >= first, calendar_closures.c.starts_on <= last
            )
            .order_by(calendar_closures.c.starts_on, calendar_closures.c.id)
        )
        return [closure_from_row(r) for r in self._s.execute(statement).mappings()]

    def add_closure(self, closure: Closure) -> None:
        self._s.execute(
            insert(calendar_closures).values(
                id=closure.id,
                user_id=closure.user_id,
                starts_on=closure.starts_on,
                ends_on=closure.ends_on,
                reason=closure.reason,
            )
        )
        self.written = True

    def remove_closure(self, closure_id: str) -> bool:
        result = self._s.execute(
            delete(calendar_closures).where(calendar_closures.c.id == closure_id)
        )
        self.written = True
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
