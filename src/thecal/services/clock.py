"""The clock port: use cases get the time from here, never from the wall clock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["Clock"]


class Clock(Protocol):
    """Anything with ``now()`` returning a timezone-aware UTC datetime."""

    def now(self) -> dt.datetime: ...
