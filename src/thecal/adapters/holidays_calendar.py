"""Public holidays from the ``holidays`` library (the clinic's country and subdivision, settings
``THECAL_CLINIC_COUNTRY`` / ``THECAL_CLINIC_SUBDIVISION``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import holidays

from thecal.domain.scheduling import WorkingHoursInvalid

__all__ = ["PublicHolidays"]


class PublicHolidays:
    """The :class:`~thecal.services.scheduling.setup.HolidayCalendar` of one country."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        try:
            holidays.country_holidays(country, subdiv=subdivision, years=[2000])
        except NotImplementedError as unknown:
            raise WorkingHoursInvalid(
                where="clinic country", detail=f"{country}/{subdivision}: {unknown}"
            ) from unknown
        self.country, self.subdivision = country, subdivision

    def between(self, first: dt.date, last: dt.date) -> Mapping[dt.date, str]:
        years = list(range(first.year, last.year + 1))
        found = holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        return {day: str(name) for day, name in found.items() if first <= day <= last}
