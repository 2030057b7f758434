"""The twin's exact integer scale: microseconds, nanolitres per day, and volume units.

The hot path of the twin runs on Python integers, which are exact and fast. Time is counted in
whole microseconds (the resolution of :class:`datetime.datetime`). A programmed flow is held in
whole nanolitres per day (1e-6 mL/day, the finest value the quantity parser accepts). A volume is
held in *volume units*, chosen so that flow × time is an integer with no rounding at all::

    1 volume unit = 1 nL·µs/day          (rate in nL/day × time in µs)
    1 mL          = 10⁶ nL × 86 400 × 10⁶ µs/day = 86 400 000 000 000 000 units

Conversions to and from the domain's :class:`~decimal.Decimal` quantities happen only at the
edges. A read-out is exact whenever the value has a finite decimal expansion within 28 digits
(every worked example in the tests does); the integers themselves are always exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from thecal.domain.units import Duration, FlowRate, Mass, Volume

__all__ = [
    "NL_PER_ML",
    "UNITS_PER_ML",
    "US_PER_DAY",
    "US_PER_HOUR",
    "US_PER_S",
    "Carry",
    "duration_of",
    "flow_nl_per_day",
    "mass_of",
    "us_of",
    "volume_of",
    "volume_units",
]

US_PER_S = 1_000_000
US_PER_HOUR = 3600 * US_PER_S
US_PER_DAY = 86_400 * US_PER_S
NL_PER_ML = 1_000_000
UNITS_PER_ML = NL_PER_ML * US_PER_DAY
_UNITS_PER_ML_D = Decimal(UNITS_PER_ML)


def us_of(duration: Duration) -> int:
    """A duration in whole microseconds (sub-microsecond parts are refused, never rounded)."""
    micros = duration.value * US_PER_S
    if micros != micros.to_integral_value():
        msg = f"duration {duration} is finer than one microsecond"
        raise ValueError(msg)
    return int(micros)


def duration_of(micros: int) -> Duration:
    return Duration(Decimal(micros) / US_PER_S)


def flow_nl_per_day(flow: FlowRate) -> int:
    """A programmed flow quantised to whole nL/day at the actuator (half-even).

    Rates written with at most six decimals in mL/day are taken exactly; anything finer (a
    repeating decimal from dose ÷ concentration) is rounded to the device's resolution, the way
    a pump quantises a commanded rate (aesthetics.md §7.3 rule 8).
    """
    return int((flow.ml_per_day * NL_PER_ML).to_integral_value(rounding=ROUND_HALF_EVEN))


def volume_units(volume: Volume) -> int:
    """A volume in volume units (exact for any volume with at most 6 decimals in µL·day)."""
    units = volume.ml * _UNITS_PER_ML_D
    return int(units.to_integral_value(rounding=ROUND_HALF_EVEN))


def volume_of(units: int | Fraction) -> Volume:
    """A volume read out of volume units."""
    if isinstance(units, Fraction):
        return Volume(Decimal(units.numerator) / (Decimal(units.denominator) * _UNITS_PER_ML_D))
    return Volume(Decimal(units) / _UNITS_PER_ML_D)


def mass_of(mcg: Fraction) -> Mass:
    """A drug mass read out of an exact rational number of micrograms."""
    return Mass(Decimal(mcg.numerator) / Decimal(mcg.denominator))


class Carry:
    """Multiply integers by ``num/den`` and floor, carrying the remainder forward.

    The running total of everything taken is always ``floor(Σx · num / den)`` — the rounding
    never accumulates, so a +2.5 % bias over seven years is off by less than one volume unit
    (1.2e-20 mL).
    """

    __slots__ = ("den", "num", "rem")

    def __init__(self, num: int, den: int, rem: int = 0) -> None:
        if den <= 0 or num < 0:
            msg = f"carry ratio must be non-negative with a positive denominator: {num}/{den}"
            raise ValueError(msg)
        self.num, self.den, self.rem = num, den, rem

    def take(self, amount: int) -> int:
        whole, self.rem = divmod(self.rem + amount * self.num, self.den)
        return whole

    def needed_for(self, result: int) -> int:
        """Smallest ``amount`` such that ``take(amount)`` would return at least ``result``."""
        if result <= 0:
            return 0
        if self.num == 0:
            msg = "a zero ratio never reaches a positive result"
            raise ZeroDivisionError(msg)
        return -((self.rem - result * self.den) // self.num)


def aware(value: dt.datetime, *, name: str) -> dt.datetime:
    """Refuse a naive datetime (the twin never guesses a time zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{name} must be timezone-aware, got {value.isoformat()}"
        raise ValueError(msg)
    return value
