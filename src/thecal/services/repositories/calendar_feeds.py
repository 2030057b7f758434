"""The calendar-feed repository port."""

from __future__ import annotations

import abc
import datetime as dt

from thecal.domain.scheduling import CalendarFeed

__all__ = ["CalendarFeedRepository"]


class CalendarFeedRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, feed: CalendarFeed) -> None: ...

    @abc.abstractmethod
    def live_for_user(self, user_id: str) -> CalendarFeed | None: ...

    @abc.abstractmethod
    def by_digest(self, digest: str) -> CalendarFeed | None: ...

    @abc.abstractmethod
    def revoke(self, feed_id: str, *, at: dt.datetime) -> None: ...
