"""The calendar-feed repository."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.calendar_feeds import feed_from_row
from thecal.adapters.sql.tables.calendar_feeds import calendar_feeds
from thecal.domain.scheduling import CalendarFeed
from thecal.services.repositories.calendar_feeds import CalendarFeedRepository

__all__ = ["SqlAlchemyCalendarFeedRepository"]


class SqlAlchemyCalendarFeedRepository(CalendarFeedRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, feed: CalendarFeed) -> None:
        self._s.execute(
            insert(calendar_feeds).values(
                id=feed.id,
                user_id=feed.user_id,
                digest=feed.digest,
                created_at=feed.created_at,
                revoked_at=feed.revoked_at,
            )
        )

    def live_for_user(self, user_id: str) -> CalendarFeed | None:
        statement = select(calendar_feeds).where(
            calendar_feeds.c.user_id == user_id, calendar_feeds.c.revoked_at.is_(None)
        )
        row = self._s.execute(statement).mappings().first()
        return feed_from_row(row) if row else None

    def by_digest(self, digest: str) -> CalendarFeed | None:
        statement = select(calendar_feeds).where(calendar_feeds.c.digest == digest)
        row = self._s.execute(statement).mappings().first()
        return feed_from_row(row) if row else None

    def revoke(self, feed_id: str, *, at: dt.datetime) -> None:
        self._s.execute(
            update(calendar_feeds).where(calendar_feeds.c.id == feed_id).values(revoked_at=at)
        )
