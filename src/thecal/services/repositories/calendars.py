"""The calendar repository port: rooms, working hours and closures (clinic settings)."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence

from thecal.domain.scheduling import Closure, Room, WorkingHours

__all__ = ["CalendarRepository"]


class CalendarRepository(abc.ABC):
    """Rooms, working hours and closures: clinic settings, written by administrators."""

    written = False

    @abc.abstractmethod
    def rooms(self) -> Sequence[Room]: ...

    @abc.abstractmethod
    def put_room(self, room: Room) -> None: ...

    @abc.abstractmethod
    def working_hours(self, user_id: str) -> Sequence[WorkingHours]: ...

    @abc.abstractmethod
    def scheduled_users(self) -> Sequence[str]:
        """The users who have working hours (the clinicians visits can be booked with)."""

    @abc.abstractmethod
    def set_working_hours(self, user_id: str, hours: Sequence[WorkingHours]) -> None:
        """Replace the user's working week."""

    @abc.abstractmethod
    def closures(self, *, user_id: str | None, first: dt.date, last: dt.date) -> Sequence[Closure]:
        """Clinic closures, and this user's leave, that touch ``[first, last]``."""

    @abc.abstractmethod
    def add_closure(self, closure: Closure) -> None: ...

    @abc.abstractmethod
    def remove_closure(self, closure_id: str) -> bool: ...
