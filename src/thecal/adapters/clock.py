"""The system clock: the one place thecal reads the wall clock."""

from __future__ import annotations

import datetime as dt

__all__ = ["SystemClock"]


class SystemClock:
    """Current time in UTC, timezone-aware."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
