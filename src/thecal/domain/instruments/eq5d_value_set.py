"""EQ-5D-5L value sets, loaded as data.

A value set turns a 5-level profile into an index (1 = full health, 0 = dead) from a national
valuation study [S120]. Value sets are licensed by the EuroQol Research Foundation, so thecal
ships **none**; a clinic loads the one it holds a licence for, from TOML text or a mapping.

Model (additive, the common form of published 5L value sets)::

    index = 1 − constant − Σ decrement[dimension][level]

where ``constant`` applies to every profile except ``11111`` (full health scores exactly 1) and
level 1 of every dimension has decrement 0. Value sets with interaction terms cannot be written in
this form and are refused rather than approximated.

TOML shape (numbers may be TOML floats — read as exact decimals — integers or decimal text)::

    name = "Example value set"
    country = "XX"
    licence = "who may use it and under what terms"
    constant = "0.05"

    [decrements.mobility]
    2 = "0.05"
    3 = "0.10"
    4 = "0.20"
    5 = "0.30"
    # ... one table for each of the five dimensions, levels 2–5 each
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments.errors import UnknownDimension, ValueSetInvalid

__all__ = ["Eq5dDimension", "ValueSet", "load_value_set_toml", "value_set_from_mapping"]

_LEVELS = (2, 3, 4, 5)
_TOP_KEYS = frozenset({"name", "country", "licence", "constant", "decrements"})


class Eq5dDimension(Enum):
    """The five EQ-5D dimensions in profile order; the value is the answer key [S120]."""

    MOBILITY = "mobility"
    SELF_CARE = "self_care"
    USUAL_ACTIVITIES = "usual_activities"
    PAIN_DISCOMFORT = "pain_discomfort"
    ANXIETY_DEPRESSION = "anxiety_depression"


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueSet:
    """An additive EQ-5D-5L value set.

    Attributes:
        name: the value set's name as the clinic shows it.
        country: the country or population it was valued in.
        licence: the terms it is used under (shown wherever the index is).
        constant: subtracted from 1 for every profile other than ``11111``.
        decrements: for each dimension in profile order, the decrements of levels 2, 3, 4, 5.
    """

    name: str
    country: str
    licence: str
    constant: Decimal
    decrements: tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...]

    def __post_init__(self) -> None:
        if len(self.decrements) != len(Eq5dDimension):
            raise ValueSetInvalid(
                value_set=self.name, field="decrements", detail="five dimensions are needed"
            )

    def decrement(self, dimension: Eq5dDimension, level: int) -> Decimal:
        """The decrement of ``dimension`` at ``level`` (0 at level 1)."""
        if level == 1:
            return Decimal(0)
        return self.decrements[list(Eq5dDimension).index(dimension)][level - 2]

    def index(self, levels: Sequence[int]) -> Decimal:
        """The index of a complete profile given as five levels 1–5, in profile order.

        Raises:
            ValueOutOfRange: not five levels, or a level outside 1–5.
        """
        if len(levels) != len(Eq5dDimension) or not all(1 <= level <= 5 for level in levels):
            raise ValueOutOfRange(name="EQ-5D-5L levels", expected="five levels 1–5", value=levels)
        if all(level == 1 for level in levels):
            return Decimal(1)
        total = sum(
            (
                self.decrement(dimension, level)
                for dimension, level in zip(Eq5dDimension, levels, strict=True)
            ),
            start=self.constant,
        )
        return Decimal(1) - total


def _number(value: object, *, name: str, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueSetInvalid(
            value_set=name,
            field=field,
            detail=f"{type(value).__name__} {value!r} refused; give decimal text or a Decimal",
        )
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueSetInvalid(
                value_set=name, field=field, detail=f"{value!r} is not a number"
            ) from None
    else:
        raise ValueSetInvalid(
            value_set=name, field=field, detail=f"{type(value).__name__} is not a number"
        )
    if not number.is_finite():
        raise ValueSetInvalid(value_set=name, field=field, detail=f"{value!r} is not finite")
    return number


def _text(data: Mapping[str, object], key: str, *, name: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueSetInvalid(value_set=name, field=key, detail="non-empty text is required")
    return value


def _dimension_decrements(
    table: object, *, name: str, dimension: str
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    field = f"decrements.{dimension}"
    if not isinstance(table, Mapping):
        raise ValueSetInvalid(value_set=name, field=field, detail="a table of levels 2–5 is needed")
    by_level: dict[int, object] = {}
    for key, value in table.items():
        text = str(key)
        if text not in {str(level) for level in _LEVELS}:
            raise ValueSetInvalid(
                value_set=name, field=field, detail=f"level {text!r} is not one of 2, 3, 4, 5"
            )
        by_level[int(text)] = value
    missing = [level for level in _LEVELS if level not in by_level]
    if missing:
        raise ValueSetInvalid(
            value_set=name, field=field, detail=f"levels {missing} have no decrement"
        )
    two, three, four, five = (
        _number(by_level[level], name=name, field=f"{field}.{level}") for level in _LEVELS
    )
    return (two, three, four, five)


def value_set_from_mapping(data: Mapping[str, object]) -> ValueSet:
    """Build a :class:`ValueSet` from a mapping of the documented shape.

    Raises:
        ValueSetInvalid: a missing or unknown key, a float, a non-number, a missing level.
        UnknownDimension: a decrement table for something that is not an EQ-5D dimension.
    """
    raw_name = data.get("name")
    name = raw_name if isinstance(raw_name, str) else "?"
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueSetInvalid(value_set=name, field=unknown[0], detail="unknown key")
    name = _text(data, "name", name=name)
    country = _text(data, "country", name=name)
    licence = _text(data, "licence", name=name)
    constant = _number(data.get("constant"), name=name, field="constant")
    tables = data.get("decrements")
    if not isinstance(tables, Mapping):
        raise ValueSetInvalid(
            value_set=name, field="decrements", detail="a table per dimension is needed"
        )
    known = [dimension.value for dimension in Eq5dDimension]
    for key in tables:
        if key not in known:
            raise UnknownDimension(value_set=name, dimension=key, known=", ".join(known))
    missing = [key for key in known if key not in tables]
    if missing:
        raise ValueSetInvalid(
            value_set=name, field="decrements", detail=f"no table for {', '.join(missing)}"
        )
    return ValueSet(
        name=name,
        country=country,
        licence=licence,
        constant=constant,
        decrements=tuple(
            _dimension_decrements(tables[key], name=name, dimension=key) for key in known
        ),
    )


def load_value_set_toml(text: str) -> ValueSet:
    """Build a :class:`ValueSet` from TOML text; TOML floats are read as exact decimals.

    Raises:
        ValueSetInvalid: the text is not TOML or not of the documented shape.
        UnknownDimension: a decrement table for something that is not an EQ-5D dimension.
    """
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise ValueSetInvalid(value_set="?", field="TOML", detail=str(error)) from None
    return value_set_from_mapping(data)
