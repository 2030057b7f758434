"""Lengths of time for people: days, hours and minutes, never seconds above one minute.

``timespan_text(timedelta(seconds=86387.89))`` is ``"23 h 59 min"``. Whole units only, rounded
down (a wait shown as "2 h 4 min" is never over at 2 h 4 min 59 s: the text never promises an
earlier end than the real one — the exact value stays in the record).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["timespan_text"]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def timespan_text(delta: dt.timedelta) -> str:
    """``"40 s"``, ``"12 min"``, ``"2 h 5 min"``, ``"3 days 4 h"``; a negative span is refused."""
    if delta < dt.timedelta(0):
        msg = f"a length of time is never negative: {delta}"
        raise ValueError(msg)
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return _plural(days, "day", "days") + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"
