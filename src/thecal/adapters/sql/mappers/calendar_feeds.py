"""Row ↔ domain for ``calendar_feeds``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.scheduling import CalendarFeed

__all__ = ["feed_from_row"]

Row = Mapping[Any, Any]


def feed_from_row(row: Row) -> CalendarFeed:
    return CalendarFeed(
        id=row["id"],
        user_id=row["user_id"],
        digest=row["digest"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
