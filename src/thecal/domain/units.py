"""Clinical quantities as exact, frozen value objects.

Each quantity holds one :class:`~decimal.Decimal` in a canonical unit:

============== ============== =========================================
type           canonical unit other units it converts to (explicitly)
============== ============== =========================================
Mass           mcg            mg
Volume         mL             µL
Concentration  mcg/mL         mg/mL
DoseRate       mcg/day        mg/day, mcg/h, mg/h
FlowRate       mL/day         mL/h, µL/h, µL/day
Duration       s              min, h, day, week
============== ============== =========================================

Arithmetic exists only where it is dimensionally valid (concentration × volume → mass,
dose rate ÷ concentration → flow rate, flow rate × duration → volume, …); anything else is a
``TypeError`` raised by Python itself. No binary float ever enters: constructors take ``Decimal``
or ``int`` and refuse ``float``. mg and mcg never mix silently: a value is always read out through
an explicit unit (``mass.mg``, ``mass.mcg``, ``mass.to(MassUnit.MG)``).

Division is carried out in a 28-digit decimal context. It is exact whenever the result has a
finite decimal expansion within 28 digits (every worked example in the clinical reference does);
otherwise the 28-digit result is kept and display code says when it rounds (see
:func:`thecal.domain.quantity_text.format_quantity`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import overload

__all__ = [
    "SECONDS_PER_DAY",
    "Concentration",
    "DoseRate",
    "Duration",
    "FlowRate",
    "Mass",
    "MassUnit",
    "TimeUnit",
    "Volume",
    "VolumeUnit",
    "as_decimal",
    "plain",
]

SECONDS_PER_DAY = Decimal(86400)
_THOUSAND = Decimal(1000)


def as_decimal(value: Decimal | int, *, name: str = "value") -> Decimal:
    """Return ``value`` as a finite Decimal; refuse floats, bools and non-finite values.

    Raises:
        TypeError: for a float, bool or any other type (binary floats never enter a dose path).
        ValueError: for NaN or infinity.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        msg = f"{name} must be a Decimal or int, not {type(value).__name__}"
        raise TypeError(msg)
    result = Decimal(value)
    if not result.is_finite():
        msg = f"{name} must be finite, got {result}"
        raise ValueError(msg)
    return result


def plain(value: Decimal) -> str:
    """Render a Decimal with no exponent, no trailing zeros and a leading zero (``0.5``)."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class MassUnit(Enum):
    """Mass units with their size in micrograms."""

    MCG = ("mcg", Decimal(1))
    MG = ("mg", _THOUSAND)

    def __init__(self, symbol: str, mcg: Decimal) -> None:
        self.symbol = symbol
        self.mcg = mcg


class VolumeUnit(Enum):
    """Volume units with their size in millilitres."""

    ML = ("mL", Decimal(1))
    UL = ("µL", Decimal("0.001"))

    def __init__(self, symbol: str, ml: Decimal) -> None:
        self.symbol = symbol
        self.ml = ml


class TimeUnit(Enum):
    """Time units with their length in seconds."""

    SECOND = ("s", Decimal(1))
    MINUTE = ("min", Decimal(60))
    HOUR = ("h", Decimal(3600))
    DAY = ("day", SECONDS_PER_DAY)
    WEEK = ("week", SECONDS_PER_DAY * 7)

    def __init__(self, symbol: str, seconds: Decimal) -> None:
        self.symbol = symbol
        self.seconds = seconds

    @property
    def per_day(self) -> Decimal:
        """How many of this unit fit in one day (24 for hours)."""
        return SECONDS_PER_DAY / self.seconds


def _scalar(factor: Decimal | int) -> Decimal:
    return as_decimal(factor, name="factor")


# ----------------------------------------------------------------------------- Mass


@dataclass(frozen=True, slots=True, order=True)
class Mass:
    """An amount of drug, held in micrograms."""

    value: Decimal  # mcg

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="mass"))

    @classmethod
    def of(cls, amount: Decimal | int, unit: MassUnit) -> Mass:
        return cls(as_decimal(amount, name="mass") * unit.mcg)

    @classmethod
    def from_mcg(cls, amount: Decimal | int) -> Mass:
        return cls.of(amount, MassUnit.MCG)

    @classmethod
    def from_mg(cls, amount: Decimal | int) -> Mass:
        return cls.of(amount, MassUnit.MG)

    @property
    def mcg(self) -> Decimal:
        return self.value

    @property
    def mg(self) -> Decimal:
        return self.value / _THOUSAND

    def to(self, unit: MassUnit) -> Decimal:
        return self.value / unit.mcg

    def __add__(self, other: Mass) -> Mass:
        if not isinstance(other, Mass):
            return NotImplemented
        return Mass(self.value + other.value)

    def __sub__(self, other: Mass) -> Mass:
        if not isinstance(other, Mass):
            return NotImplemented
        return Mass(self.value - other.value)

    def __mul__(self, factor: Decimal | int) -> Mass:
        return Mass(self.value * _scalar(factor))

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Mass) -> Decimal: ...
    @overload
    def __truediv__(self, other: Volume) -> Concentration: ...
    @overload
    def __truediv__(self, other: Duration) -> DoseRate: ...
    @overload
    def __truediv__(self, other: DoseRate) -> Duration: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Mass: ...
    def __truediv__(
        self, other: Mass | Volume | Duration | DoseRate | Decimal | int
    ) -> Decimal | Concentration | DoseRate | Duration | Mass:
        if isinstance(other, Mass):
            return self.value / other.value
        if isinstance(other, Volume):
            return Concentration(self.value / other.value)
        if isinstance(other, Duration):
            return DoseRate(self.value * SECONDS_PER_DAY / other.value)
        if isinstance(other, DoseRate):
            return Duration(self.value / other.value * SECONDS_PER_DAY)
        return Mass(self.value / _scalar(other))

    def __str__(self) -> str:
        unit = MassUnit.MG if abs(self.value) >= _THOUSAND else MassUnit.MCG
        return f"{plain(self.to(unit))} {unit.symbol}"


# ----------------------------------------------------------------------------- Volume


@dataclass(frozen=True, slots=True, order=True)
class Volume:
    """A volume of fluid, held in millilitres. May be negative only as a difference."""

    value: Decimal  # mL

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="volume"))

    @classmethod
    def of(cls, amount: Decimal | int, unit: VolumeUnit) -> Volume:
        return cls(as_decimal(amount, name="volume") * unit.ml)

    @classmethod
    def from_ml(cls, amount: Decimal | int) -> Volume:
        return cls.of(amount, VolumeUnit.ML)

    @property
    def ml(self) -> Decimal:
        return self.value

    @property
    def ul(self) -> Decimal:
        return self.value * _THOUSAND

    def to(self, unit: VolumeUnit) -> Decimal:
        return self.value / unit.ml

    def __add__(self, other: Volume) -> Volume:
        if not isinstance(other, Volume):
            return NotImplemented
        return Volume(self.value + other.value)

    def __sub__(self, other: Volume) -> Volume:
        if not isinstance(other, Volume):
            return NotImplemented
        return Volume(self.value - other.value)

    def __neg__(self) -> Volume:
        return Volume(-self.value)

    def __abs__(self) -> Volume:
        return Volume(abs(self.value))

    @overload
    def __mul__(self, other: Concentration) -> Mass: ...
    @overload
    def __mul__(self, other: Decimal | int) -> Volume: ...
    def __mul__(self, other: Concentration | Decimal | int) -> Mass | Volume:
        if isinstance(other, Concentration):
            return Mass(self.value * other.value)
        return Volume(self.value * _scalar(other))

    def __rmul__(self, other: Decimal | int) -> Volume:
        return Volume(self.value * _scalar(other))

    @overload
    def __truediv__(self, other: Volume) -> Decimal: ...
    @overload
    def __truediv__(self, other: Duration) -> FlowRate: ...
    @overload
    def __truediv__(self, other: FlowRate) -> Duration: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Volume: ...
    def __truediv__(
        self, other: Volume | Duration | FlowRate | Decimal | int
    ) -> Decimal | FlowRate | Duration | Volume:
        if isinstance(other, Volume):
            return self.value / other.value
        if isinstance(other, Duration):
            return FlowRate(self.value * SECONDS_PER_DAY / other.value)
        if isinstance(other, FlowRate):
            return Duration(self.value / other.value * SECONDS_PER_DAY)
        return Volume(self.value / _scalar(other))

    def __str__(self) -> str:
        return f"{plain(self.value)} mL"


# ----------------------------------------------------------------------------- Concentration


@dataclass(frozen=True, slots=True, order=True)
class Concentration:
    """Drug per volume, held in mcg/mL (so 25 mg/mL is 25000)."""

    value: Decimal  # mcg/mL

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="concentration"))

    @classmethod
    def of(
        cls, amount: Decimal | int, mass: MassUnit, volume: VolumeUnit = VolumeUnit.ML
    ) -> Concentration:
        return cls(as_decimal(amount, name="concentration") * mass.mcg / volume.ml)

    @classmethod
    def from_mg_per_ml(cls, amount: Decimal | int) -> Concentration:
        return cls.of(amount, MassUnit.MG)

    @classmethod
    def from_mcg_per_ml(cls, amount: Decimal | int) -> Concentration:
        return cls.of(amount, MassUnit.MCG)

    @property
    def mcg_per_ml(self) -> Decimal:
        return self.value

    @property
    def mg_per_ml(self) -> Decimal:
        return self.value / _THOUSAND

    def to(self, mass: MassUnit, volume: VolumeUnit = VolumeUnit.ML) -> Decimal:
        return self.value / mass.mcg * volume.ml

    @overload
    def __mul__(self, other: Volume) -> Mass: ...
    @overload
    def __mul__(self, other: FlowRate) -> DoseRate: ...
    @overload
    def __mul__(self, other: Decimal | int) -> Concentration: ...
    def __mul__(self, other: Volume | FlowRate | Decimal | int) -> Mass | DoseRate | Concentration:
        if isinstance(other, Volume):
            return Mass(self.value * other.value)
        if isinstance(other, FlowRate):
            return DoseRate(self.value * other.value)
        return Concentration(self.value * _scalar(other))

    @overload
    def __rmul__(self, other: Volume) -> Mass: ...
    @overload
    def __rmul__(self, other: FlowRate) -> DoseRate: ...
    @overload
    def __rmul__(self, other: Decimal | int) -> Concentration: ...
    def __rmul__(self, other: Volume | FlowRate | Decimal | int) -> Mass | DoseRate | Concentration:
        return self.__mul__(other)

    @overload
    def __truediv__(self, other: Concentration) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Concentration: ...
    def __truediv__(self, other: Concentration | Decimal | int) -> Decimal | Concentration:
        if isinstance(other, Concentration):
            return self.value / other.value
        return Concentration(self.value / _scalar(other))

    def __str__(self) -> str:
        unit = MassUnit.MG if abs(self.value) >= _THOUSAND else MassUnit.MCG
        return f"{plain(self.to(unit))} {unit.symbol}/mL"


# ----------------------------------------------------------------------------- DoseRate


@dataclass(frozen=True, slots=True, order=True)
class DoseRate:
    """Drug per time, held in mcg/day."""

    value: Decimal  # mcg/day

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="dose rate"))

    @classmethod
    def of(cls, amount: Decimal | int, mass: MassUnit, per: TimeUnit = TimeUnit.DAY) -> DoseRate:
        return cls(as_decimal(amount, name="dose rate") * mass.mcg * per.per_day)

    @classmethod
    def from_mg_per_day(cls, amount: Decimal | int) -> DoseRate:
        return cls.of(amount, MassUnit.MG)

    @classmethod
    def from_mcg_per_day(cls, amount: Decimal | int) -> DoseRate:
        return cls.of(amount, MassUnit.MCG)

    @property
    def mcg_per_day(self) -> Decimal:
        return self.value

    @property
    def mg_per_day(self) -> Decimal:
        return self.value / _THOUSAND

    def to(self, mass: MassUnit, per: TimeUnit = TimeUnit.DAY) -> Decimal:
        return self.value / mass.mcg / per.per_day

    def __add__(self, other: DoseRate) -> DoseRate:
        if not isinstance(other, DoseRate):
            return NotImplemented
        return DoseRate(self.value + other.value)

    def __sub__(self, other: DoseRate) -> DoseRate:
        if not isinstance(other, DoseRate):
            return NotImplemented
        return DoseRate(self.value - other.value)

    @overload
    def __mul__(self, other: Duration) -> Mass: ...
    @overload
    def __mul__(self, other: Decimal | int) -> DoseRate: ...
    def __mul__(self, other: Duration | Decimal | int) -> Mass | DoseRate:
        if isinstance(other, Duration):
            return Mass(self.value * other.value / SECONDS_PER_DAY)
        return DoseRate(self.value * _scalar(other))

    def __rmul__(self, other: Decimal | int) -> DoseRate:
        return DoseRate(self.value * _scalar(other))

    @overload
    def __truediv__(self, other: Concentration) -> FlowRate: ...
    @overload
    def __truediv__(self, other: FlowRate) -> Concentration: ...
    @overload
    def __truediv__(self, other: DoseRate) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> DoseRate: ...
    def __truediv__(
        self, other: Concentration | FlowRate | DoseRate | Decimal | int
    ) -> FlowRate | Concentration | Decimal | DoseRate:
        if isinstance(other, Concentration):
            return FlowRate(self.value / other.value)
        if isinstance(other, FlowRate):
            return Concentration(self.value / other.value)
        if isinstance(other, DoseRate):
            return self.value / other.value
        return DoseRate(self.value / _scalar(other))

    def __str__(self) -> str:
        unit = MassUnit.MG if abs(self.value) >= _THOUSAND else MassUnit.MCG
        return f"{plain(self.to(unit))} {unit.symbol}/day"


# ----------------------------------------------------------------------------- FlowRate


@dataclass(frozen=True, slots=True, order=True)
class FlowRate:
    """Fluid volume per time, held in mL/day."""

    value: Decimal  # mL/day

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="flow rate"))

    @classmethod
    def of(
        cls, amount: Decimal | int, volume: VolumeUnit, per: TimeUnit = TimeUnit.DAY
    ) -> FlowRate:
        return cls(as_decimal(amount, name="flow rate") * volume.ml * per.per_day)

    @classmethod
    def from_ml_per_day(cls, amount: Decimal | int) -> FlowRate:
        return cls.of(amount, VolumeUnit.ML)

    @property
    def ml_per_day(self) -> Decimal:
        return self.value

    def to(self, volume: VolumeUnit, per: TimeUnit = TimeUnit.DAY) -> Decimal:
        return self.value / volume.ml / per.per_day

    def __add__(self, other: FlowRate) -> FlowRate:
        if not isinstance(other, FlowRate):
            return NotImplemented
        return FlowRate(self.value + other.value)

    def __sub__(self, other: FlowRate) -> FlowRate:
        if not isinstance(other, FlowRate):
            return NotImplemented
        return FlowRate(self.value - other.value)

    @overload
    def __mul__(self, other: Duration) -> Volume: ...
    @overload
    def __mul__(self, other: Concentration) -> DoseRate: ...
    @overload
    def __mul__(self, other: Decimal | int) -> FlowRate: ...
    def __mul__(
        self, other: Duration | Concentration | Decimal | int
    ) -> Volume | DoseRate | FlowRate:
        if isinstance(other, Duration):
            return Volume(self.value * other.value / SECONDS_PER_DAY)
        if isinstance(other, Concentration):
            return DoseRate(self.value * other.value)
        return FlowRate(self.value * _scalar(other))

    def __rmul__(self, other: Decimal | int) -> FlowRate:
        return FlowRate(self.value * _scalar(other))

    @overload
    def __truediv__(self, other: FlowRate) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> FlowRate: ...
    def __truediv__(self, other: FlowRate | Decimal | int) -> Decimal | FlowRate:
        if isinstance(other, FlowRate):
            return self.value / other.value
        return FlowRate(self.value / _scalar(other))

    def __str__(self) -> str:
        return f"{plain(self.value)} mL/day"


# ----------------------------------------------------------------------------- Duration


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A length of time, held in seconds."""

    value: Decimal  # s

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", as_decimal(self.value, name="duration"))

    @classmethod
    def of(cls, amount: Decimal | int, unit: TimeUnit) -> Duration:
        return cls(as_decimal(amount, name="duration") * unit.seconds)

    @classmethod
    def days(cls, amount: Decimal | int) -> Duration:
        return cls.of(amount, TimeUnit.DAY)

    @classmethod
    def hours(cls, amount: Decimal | int) -> Duration:
        return cls.of(amount, TimeUnit.HOUR)

    @classmethod
    def minutes(cls, amount: Decimal | int) -> Duration:
        return cls.of(amount, TimeUnit.MINUTE)

    @classmethod
    def seconds(cls, amount: Decimal | int) -> Duration:
        return cls.of(amount, TimeUnit.SECOND)

    @classmethod
    def from_timedelta(cls, delta: dt.timedelta) -> Duration:
        micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls(Decimal(micros) / Decimal(1_000_000))

    def to_timedelta(self) -> dt.timedelta:
        """Exact to the microsecond (the resolution of ``datetime``); finer parts are dropped."""
        micros = int(self.value * 1_000_000)
        return dt.timedelta(microseconds=micros)

    @property
    def in_days(self) -> Decimal:
        return self.value / SECONDS_PER_DAY

    @property
    def in_hours(self) -> Decimal:
        return self.value / TimeUnit.HOUR.seconds

    def to(self, unit: TimeUnit) -> Decimal:
        return self.value / unit.seconds

    def __add__(self, other: Duration) -> Duration:
        if not isinstance(other, Duration):
            return NotImplemented
        return Duration(self.value + other.value)

    def __sub__(self, other: Duration) -> Duration:
        if not isinstance(other, Duration):
            return NotImplemented
        return Duration(self.value - other.value)

    @overload
    def __mul__(self, other: DoseRate) -> Mass: ...
    @overload
    def __mul__(self, other: FlowRate) -> Volume: ...
    @overload
    def __mul__(self, other: Decimal | int) -> Duration: ...
    def __mul__(self, other: DoseRate | FlowRate | Decimal | int) -> Mass | Volume | Duration:
        if isinstance(other, DoseRate | FlowRate):
            return other * self
        return Duration(self.value * _scalar(other))

    def __rmul__(self, other: Decimal | int) -> Duration:
        return Duration(self.value * _scalar(other))

    @overload
    def __truediv__(self, other: Duration) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Duration: ...
    def __truediv__(self, other: Duration | Decimal | int) -> Decimal | Duration:
        if isinstance(other, Duration):
            return self.value / other.value
        return Duration(self.value / _scalar(other))

    def __str__(self) -> str:
        for unit in (TimeUnit.WEEK, TimeUnit.DAY, TimeUnit.HOUR, TimeUnit.MINUTE):
            if self.value != 0 and self.value % unit.seconds == 0:
                amount = self.value / unit.seconds
                if unit is TimeUnit.WEEK:
                    return f"{plain(amount * 7)} days"
                suffix = "" if amount == 1 or unit is not TimeUnit.DAY else "s"
                return f"{plain(amount)} {unit.symbol}{suffix}"
        if abs(self.value) >= SECONDS_PER_DAY:
            return f"{plain(self.in_days)} days"
        return f"{plain(self.value)} s"
