"""The clinic's scheduling setup: its time zone, holidays, name, portal address and visit types.

Built once by the composition root from settings (``THECAL_CLINIC_*``) and handed to the
scheduling use cases in their commands; tests build their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from thecal.domain.policy import ClinicPolicy
from thecal.domain.scheduling import VisitCatalogue, VisitType, VisitTypeSpec
from thecal.domain.time_points import DEFAULT_TIME_POINTS, TimePoint

__all__ = ["ClinicSetup", "HolidayCalendar", "NoHolidays"]


class HolidayCalendar(Protocol):
    """Public holidays of the clinic's country and subdivision (the ``holidays`` library)."""

    def between(self, first: dt.date, last: dt.date) -> Mapping[dt.date, str]: ...


class NoHolidays:
    """A calendar without public holidays (tests; a clinic that opens every day)."""

    def between(self, first: dt.date, last: dt.date) -> Mapping[dt.date, str]:
        del first, last
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicSetup:
    name: str = "the clinic"
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    holidays: HolidayCalendar = field(default_factory=NoHolidays)
    portal_url: str = "http://127.0.0.1:8000"  # links in reminders: {portal_url}/portal/visits/…
    catalogue: VisitCatalogue = field(default_factory=VisitCatalogue)
    policy: ClinicPolicy = field(default_factory=ClinicPolicy)
    time_points: tuple[TimePoint, ...] = DEFAULT_TIME_POINTS

    def spec(self, kind: VisitType, *, baclofen_screening: bool = False) -> VisitTypeSpec:
        return self.catalogue.spec(kind, self.policy, baclofen_screening=baclofen_screening)

    def time_point(self, name: str) -> TimePoint | None:
        return next((p for p in self.time_points if p.name == name), None)

    def local_day(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.zone).date()
