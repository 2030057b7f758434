"""Working hours → API documents."""

from __future__ import annotations

from thecal.domain.scheduling import WorkingHours
from thecal.entrypoints.api.schemas.calendar import HoursPublic

__all__ = ["hours_public"]


def hours_public(h: WorkingHours) -> HoursPublic:
    return HoursPublic(weekday=h.weekday, starts=f"{h.starts:%H:%M}", ends=f"{h.ends:%H:%M}")
