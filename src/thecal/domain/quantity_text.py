"""Reading and writing quantities as text, at the edges only.

The parser never guesses. Each of these is its own error with a stable code (see
:mod:`thecal.domain.errors`): an empty string, a naked decimal (".5 mg"), a comma ("2,5 mL" or
"1,000 mcg"), two decimal points, a trailing point ("5. mg"), a leading zero ("05 mg"), an exponent
("1e3 mg"), a missing unit, an unknown unit, a negative or a non-finite value, and more than
:data:`MAX_DECIMAL_PLACES` decimals. Accepted units are listed in :data:`UNITS`.

The formatter never writes a naked decimal or a trailing zero (ISMP error-prone notation), and
when asked to shorten a value it marks the result as approximate instead of rounding silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import TypeVar

from thecal.domain.errors import (
    CommaDecimal,
    EmptyQuantity,
    ExcessPrecision,
    MalformedNumber,
    MissingUnit,
    MultipleDecimalPoints,
    NakedDecimal,
    NegativeQuantity,
    NonFiniteQuantity,
    TrailingDecimalPoint,
    UnknownUnit,
    WrongQuantityKind,
)
from thecal.domain.units import (
    Concentration,
    DoseRate,
    Duration,
    FlowRate,
    Mass,
    MassUnit,
    TimeUnit,
    Volume,
    VolumeUnit,
    plain,
)

__all__ = [
    "MAX_DECIMAL_PLACES",
    "UNITS",
    "Quantity",
    "QuantityKind",
    "format_quantity",
    "parse_concentration",
    "parse_dose_rate",
    "parse_dose_rate_as_written",
    "parse_duration",
    "parse_flow_rate",
    "parse_mass",
    "parse_mass_as_written",
    "parse_quantity",
    "parse_volume",
]

Quantity = Mass | Volume | Concentration | DoseRate | FlowRate | Duration
MAX_DECIMAL_PLACES = 6


class QuantityKind(Enum):
    """The dimension of a quantity, with an example used in error messages."""

    MASS = ("mass", "0.5 mg", Mass)
    VOLUME = ("volume", "20 mL", Volume)
    CONCENTRATION = ("concentration", "25 mg/mL", Concentration)
    DOSE_RATE = ("dose rate", "0.5 mg/day", DoseRate)
    FLOW_RATE = ("flow rate", "0.048 mL/day", FlowRate)
    DURATION = ("duration", "90 days", Duration)

    def __init__(self, label: str, example: str, type_: type) -> None:
        self.label = label
        self.example = example
        self.type_ = type_


@dataclass(frozen=True, slots=True)
class _UnitSpec:
    kind: QuantityKind
    symbol: str
    mass: MassUnit | None = None
    volume: VolumeUnit | None = None
    time: TimeUnit | None = None

    def build(self, number: Decimal) -> Quantity:
        if self.kind is QuantityKind.MASS and self.mass:
            return Mass.of(number, self.mass)
        if self.kind is QuantityKind.VOLUME and self.volume:
            return Volume.of(number, self.volume)
        if self.kind is QuantityKind.CONCENTRATION and self.mass and self.volume:
            return Concentration.of(number, self.mass, self.volume)
        if self.kind is QuantityKind.DOSE_RATE and self.mass and self.time:
            return DoseRate.of(number, self.mass, self.time)
        if self.kind is QuantityKind.FLOW_RATE and self.volume and self.time:
            return FlowRate.of(number, self.volume, self.time)
        if self.kind is QuantityKind.DURATION and self.time:
            return Duration.of(number, self.time)
        msg = f"incomplete unit spec {self!r}"  # pragma: no cover - table below is complete
        raise AssertionError(msg)


_MASS_WORDS = {"mg": MassUnit.MG, "mcg": MassUnit.MCG, "µg": MassUnit.MCG}
_VOLUME_WORDS = {"ml": VolumeUnit.ML, "µl": VolumeUnit.UL}
_RATE_TIME_WORDS = {"day": TimeUnit.DAY, "d": TimeUnit.DAY, "h": TimeUnit.HOUR, "hr": TimeUnit.HOUR}
_DURATION_WORDS = {
    "s": TimeUnit.SECOND,
    "sec": TimeUnit.SECOND,
    "min": TimeUnit.MINUTE,
    "minutes": TimeUnit.MINUTE,
    "minute": TimeUnit.MINUTE,
    "h": TimeUnit.HOUR,
    "hr": TimeUnit.HOUR,
    "hour": TimeUnit.HOUR,
    "hours": TimeUnit.HOUR,
    "d": TimeUnit.DAY,
    "day": TimeUnit.DAY,
    "days": TimeUnit.DAY,
    "week": TimeUnit.WEEK,
    "weeks": TimeUnit.WEEK,
}
_VOLUME_SYMBOL = {VolumeUnit.ML: "mL", VolumeUnit.UL: "µL"}


def _unit_table() -> dict[str, _UnitSpec]:
    table: dict[str, _UnitSpec] = {}
    for word, mass in _MASS_WORDS.items():
        table[word] = _UnitSpec(QuantityKind.MASS, word, mass=mass)
        for vword, volume in _VOLUME_WORDS.items():
            table[f"{word}/{vword}"] = _UnitSpec(
                QuantityKind.CONCENTRATION,
                f"{word}/{_VOLUME_SYMBOL[volume]}",
                mass=mass,
                volume=volume,
            )
        for tword, time in _RATE_TIME_WORDS.items():
            table[f"{word}/{tword}"] = _UnitSpec(
                QuantityKind.DOSE_RATE, f"{word}/{tword}", mass=mass, time=time
            )
    for vword, volume in _VOLUME_WORDS.items():
        table[vword] = _UnitSpec(QuantityKind.VOLUME, _VOLUME_SYMBOL[volume], volume=volume)
        for tword, time in _RATE_TIME_WORDS.items():
            table[f"{vword}/{tword}"] = _UnitSpec(
                QuantityKind.FLOW_RATE,
                f"{_VOLUME_SYMBOL[volume]}/{tword}",
                volume=volume,
                time=time,
            )
    for word, time in _DURATION_WORDS.items():
        table[word] = _UnitSpec(QuantityKind.DURATION, word, time=time)
    return table


#: Every accepted unit (lower-cased, with 'μ' folded to 'µ'), mapped to its meaning.
UNITS: dict[str, _UnitSpec] = _unit_table()

_NUMBER = re.compile(r"[0-9.,]+")
_NON_FINITE = re.compile(r"^(inf(inity)?|nan|∞)", re.IGNORECASE)


def _accepted(kind: QuantityKind | None = None) -> str:
    symbols = sorted({spec.symbol for spec in UNITS.values() if kind in (None, spec.kind)})
    return ", ".join(symbols)


def _split(text: str) -> tuple[str, str]:
    """Split raw text into its number and unit parts, refusing every ambiguous form."""
    stripped = text.strip()
    if not stripped:
        raise EmptyQuantity(text=text)
    if stripped[0] in "-−":
        raise NegativeQuantity(text=text)
    if stripped[0] == "+":
        raise MalformedNumber(
            text=text, reason="a '+' sign is not accepted; write the number alone"
        )
    if _NON_FINITE.match(stripped):
        raise NonFiniteQuantity(text=text)
    match = _NUMBER.match(stripped)
    if match is None:
        raise MalformedNumber(text=text, reason="it does not start with a number")
    number, rest = match.group(), stripped[match.end() :]
    if rest[:1] in ("e", "E") and (rest[1:2].isdigit() or rest[1:2] in ("+", "-")):
        raise MalformedNumber(text=text, reason="exponent notation is not accepted")
    unit = rest.strip()
    if unit[:1].isdigit():
        raise MalformedNumber(text=text, reason="digits separated by a space; write one number")
    return number, unit


def _number(text: str, number: str) -> Decimal:
    if "," in number:
        raise CommaDecimal(text=text)
    if number.count(".") > 1:
        raise MultipleDecimalPoints(text=text)
    if number.startswith("."):
        raise NakedDecimal(text=text, number=number)
    if number.endswith("."):
        raise TrailingDecimalPoint(text=text, number=number[:-1])
    whole, _, fraction = number.partition(".")
    if len(whole) > 1 and whole.startswith("0"):
        raise MalformedNumber(text=text, reason="a leading zero before other digits is ambiguous")
    if len(fraction) > MAX_DECIMAL_PLACES:
        raise ExcessPrecision(text=text, places=len(fraction), maximum=MAX_DECIMAL_PLACES)
    return Decimal(number)


def _unit(text: str, unit: str) -> _UnitSpec:
    if not unit:
        raise MissingUnit(text=text, accepted=_accepted())
    key = re.sub(r"\s+", "", unit).replace("μ", "µ").lower()
    spec = UNITS.get(key)
    if spec is None:
        raise UnknownUnit(text=text, unit=unit, accepted=_accepted())
    return spec


def parse_quantity(text: str) -> Quantity:
    """Parse text such as ``"0.5 mg/day"`` into a quantity of the dimension its unit names.

    Raises:
        QuantityTextError: a subclass naming exactly what is wrong with the text.
    """
    number, unit = _split(text)
    value = _number(text, number)
    return _unit(text, unit).build(value)


_Q = TypeVar("_Q", Mass, Volume, Concentration, DoseRate, FlowRate, Duration)


def _parse_as(text: str, kind: QuantityKind, type_: type[_Q]) -> _Q:
    quantity = parse_quantity(text)
    if not isinstance(quantity, type_):
        got = next(k for k in QuantityKind if isinstance(quantity, k.type_))
        raise WrongQuantityKind(text=text, got=got.label, expected=kind.label, example=kind.example)
    return quantity


def parse_mass(text: str) -> Mass:
    return _parse_as(text, QuantityKind.MASS, Mass)


def parse_volume(text: str) -> Volume:
    return _parse_as(text, QuantityKind.VOLUME, Volume)


def parse_concentration(text: str) -> Concentration:
    return _parse_as(text, QuantityKind.CONCENTRATION, Concentration)


def parse_dose_rate(text: str) -> DoseRate:
    return _parse_as(text, QuantityKind.DOSE_RATE, DoseRate)


def parse_dose_rate_as_written(text: str) -> tuple[DoseRate, MassUnit, TimeUnit]:
    """Parse a dose rate and say in which mass and time unit it was written (``"25 mcg/h"`` →
    MCG, HOUR): a factor per mcg/h must not be fed a rate written in mg/h or per day."""
    rate = parse_dose_rate(text)
    spec = _unit(text, _split(text)[1])
    if spec.mass is None or spec.time is None:  # pragma: no cover - parse_dose_rate checked it
        raise WrongQuantityKind(text=text, got="?", expected="dose rate", example="0.5 mg/day")
    return rate, spec.mass, spec.time


def parse_mass_as_written(text: str) -> tuple[Mass, MassUnit]:
    """Parse a mass and say in which unit it was written (``"50 mcg"`` → MCG)."""
    mass = parse_mass(text)
    spec = _unit(text, _split(text)[1])
    if spec.mass is None:  # pragma: no cover - parse_mass checked it
        raise WrongQuantityKind(text=text, got="?", expected="mass", example="50 mcg")
    return mass, spec.mass


def parse_flow_rate(text: str) -> FlowRate:
    return _parse_as(text, QuantityKind.FLOW_RATE, FlowRate)


def parse_duration(text: str) -> Duration:
    return _parse_as(text, QuantityKind.DURATION, Duration)


def _number_text(value: Decimal, places: int | None) -> str:
    if places is None:
        return plain(value)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    prefix = "≈ " if rounded != value else ""
    return prefix + plain(rounded)


def format_quantity(  # noqa: PLR0911 - one branch per dimension
    quantity: Quantity,
    *,
    mass: MassUnit | None = None,
    volume: VolumeUnit = VolumeUnit.ML,
    per: TimeUnit = TimeUnit.DAY,
    places: int | None = None,
) -> str:
    """Write a quantity as text in the units asked for.

    Args:
        quantity: the value to write.
        mass: the mass unit for masses, concentrations and dose rates; by default mg from 1 mg up
            and mcg below, as ``str()`` does.
        volume: the volume unit for volumes, concentrations and flow rates.
        per: the time unit of rates.
        places: round to this many decimals; a value changed by rounding is prefixed with "≈ ".

    Returns:
        Text that :func:`parse_quantity` reads back to the same value whenever nothing was rounded.
    """
    if isinstance(quantity, Mass):
        unit = mass or (MassUnit.MG if quantity.mcg >= 1000 else MassUnit.MCG)
        return f"{_number_text(quantity.to(unit), places)} {unit.symbol}"
    if isinstance(quantity, Volume):
        return f"{_number_text(quantity.to(volume), places)} {volume.symbol}"
    if isinstance(quantity, Concentration):
        unit = mass or (MassUnit.MG if quantity.mcg_per_ml >= 1000 else MassUnit.MCG)
        number = _number_text(quantity.to(unit, volume), places)
        return f"{number} {unit.symbol}/{volume.symbol}"
    if isinstance(quantity, DoseRate):
        unit = mass or (MassUnit.MG if quantity.mcg_per_day >= 1000 else MassUnit.MCG)
        return f"{_number_text(quantity.to(unit, per), places)} {unit.symbol}/{per.symbol}"
    if isinstance(quantity, FlowRate):
        return f"{_number_text(quantity.to(volume, per), places)} {volume.symbol}/{per.symbol}"
    if places is None:
        return str(quantity)
    return f"{_number_text(quantity.in_days, places)} days"
