"""The patient-activated bolus gate: lockout and maximum per day (S66; SR-04).

A request is refused inside the lockout after the last *granted* bolus, or when the maximum number
of boluses has already been granted in the last 24 hours. The twin counts the maximum over a
rolling 24-hour window [A]: it is never more permissive than a calendar-day count, so the invariant
"no more than the maximum in any day" holds however a day is read.
"""

from __future__ import annotations

from collections import deque

from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Volume
from thecal.simulation.scale import US_PER_DAY, us_of, volume_units

__all__ = ["PatientBolusGate"]


class PatientBolusGate:
    """Remembers granted boluses and answers whether the next one may start."""

    __slots__ = ("_lockout_us", "_size", "granted", "settings")

    def __init__(self) -> None:
        self.settings: PatientBolusSettings | None = None
        self.granted: deque[int] = deque()
        self._size: tuple[InfusionProgram, int, int] | None = None
        self._lockout_us = 0

    def configure(self, settings: PatientBolusSettings | None) -> None:
        self.settings = settings
        self._lockout_us = int(settings.lockout.value * 1_000_000) if settings else 0

    def bolus_size(self, program: InfusionProgram) -> tuple[int, int]:
        """(volume units, duration µs) of one patient bolus under ``program`` (dose ÷ conc.)."""
        if self._size is None or self._size[0] is not program:
            settings = program.patient_bolus or self.settings
            if settings is None:
                msg = "no patient bolus programmed"
                raise ValueError(msg)
            volume = Volume(settings.dose.mcg / program.admixture.primary.concentration.mcg_per_ml)
            self._size = (program, volume_units(volume), us_of(settings.duration))
        return self._size[1], self._size[2]

    def refusal(self, now_us: int) -> str | None:
        """Why a bolus may not start now, or None if it may."""
        settings = self.settings
        if settings is None:
            return "no patient bolus programmed"
        granted = self.granted
        while granted and granted[0] <= now_us - US_PER_DAY:
            granted.popleft()
        if granted and now_us - granted[-1] < self._lockout_us:
            return "lockout"
        if len(granted) >= settings.max_per_day:
            return "daily maximum"
        return None

    def grant(self, now_us: int) -> None:
        self.granted.append(now_us)
