"""One JSON object of a review request with its path: every read names the path in its error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from thecal.domain.errors import QuantityTextError, ValueOutOfRange
from thecal.domain.safety.errors import (
    InvalidQuantity,
    InvalidTimestamp,
    InvalidValue,
    MissingField,
    UnknownField,
    UnknownValue,
    WrongType,
)

__all__ = ["BareNumber", "Node", "building", "fields", "kind_of"]

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


class BareNumber:
    """A JSON number with a fraction: quantities are text with their unit, never bare numbers."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def kind_of(value: object) -> str:
    """What a JSON value is, in words, for an error message."""
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }
    if isinstance(value, BareNumber):
        return f"the bare number {value.text} (write quantities as text with a unit)"
    return "null" if value is None else names.get(type(value), type(value).__name__)


def fields(*names: str) -> frozenset[str]:
    return frozenset(names)


@contextmanager
def building(where: str) -> Iterator[None]:
    """Turn a value object's own refusal into an error at ``where``."""
    try:
        yield
    except ValueOutOfRange as error:
        raise InvalidValue(where=where, detail=error.message) from None


class Node:
    """One JSON object with its path; every read names the path in its error."""

    def __init__(self, data: object, path: str, allowed: frozenset[str]) -> None:
        if not isinstance(data, dict):
            raise WrongType(where=path, expected="an object", got=kind_of(data))
        for key in data:
            if key not in allowed:
                raise UnknownField(where=f"{path}.{key}", known=", ".join(sorted(allowed)))
        self.data: dict[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        if not self.has(key):
            raise MissingField(where=self.at(key))
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise WrongType(where=self.at(key), expected="non-empty text", got=kind_of(value))
        return value

    def flag(self, key: str, *, default: bool | None = None) -> bool:
        if default is not None and not self.has(key):
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise WrongType(where=self.at(key), expected="true or false", got=kind_of(value))
        return value

    def maybe_flag(self, key: str) -> bool | None:
        return self.flag(key) if self.has(key) else None

    def whole(self, key: str, *, low: int, high: int) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise WrongType(where=self.at(key), expected="a whole number", got=kind_of(value))
        if not low <= value <= high:
            raise InvalidValue(where=self.at(key), detail=f"must be {low}–{high}, got {value}")
        return value

    def maybe_whole(self, key: str, *, low: int, high: int) -> int | None:
        return self.whole(key, low=low, high=high) if self.has(key) else None

    def number(self, key: str, *, what: str, high: Decimal) -> Decimal:
        """A positive decimal written as text (``"22.5"``), at most ``high``."""
        text = self.text(key)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidValue(where=self.at(key), detail=f"{text!r} is not {what}") from None
        if not value.is_finite() or not 0 < value <= high:
            raise InvalidValue(
                where=self.at(key), detail=f"must be a number above 0 and at most {high}"
            )
        return value

    def choice(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)
            raise UnknownValue(where=self.at(key), value=value, known=known) from None

    def maybe_choice(self, key: str, kind: type[E]) -> E | None:
        return self.choice(key, kind) if self.has(key) else None

    def quantity(self, key: str, parse: Callable[[str], T], *, positive: bool = False) -> T:
        value = self.raw(key)
        if not isinstance(value, str):
            raise WrongType(
                where=self.at(key), expected='text with a unit, e.g. "25 mg/mL"', got=kind_of(value)
            )
        try:
            result = parse(value)
        except QuantityTextError as error:
            raise InvalidQuantity(
                where=self.at(key), detail=error.message, quantity_code=error.code
            ) from None
        if positive and getattr(result, "value", Decimal(1)) <= 0:
            raise InvalidValue(
                where=self.at(key), detail=f"must be greater than zero, got {value!r}"
            )
        return result

    def maybe_quantity(
        self, key: str, parse: Callable[[str], T], *, positive: bool = False
    ) -> T | None:
        return self.quantity(key, parse, positive=positive) if self.has(key) else None

    def timestamp(self, key: str) -> dt.datetime:
        value = self.text(key)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidTimestamp(
                where=self.at(key), detail=f"{value!r} is not an ISO 8601 date-time"
            ) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidTimestamp(
                where=self.at(key), detail=f"{value!r} has no time zone; add one, e.g. +00:00"
            )
        return moment

    def maybe_timestamp(self, key: str) -> dt.datetime | None:
        return self.timestamp(key) if self.has(key) else None

    def date(self, key: str) -> dt.date:
        try:
            return dt.date.fromisoformat(self.text(key))
        except ValueError:
            raise InvalidTimestamp(
                where=self.at(key), detail="not an ISO 8601 date (YYYY-MM-DD)"
            ) from None

    def maybe_date(self, key: str) -> dt.date | None:
        return self.date(key) if self.has(key) else None

    def child(self, key: str, allowed: frozenset[str]) -> Node:
        return Node(self.raw(key), self.at(key), allowed)

    def maybe_child(self, key: str, allowed: frozenset[str]) -> Node | None:
        return self.child(key, allowed) if self.has(key) else None

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise WrongType(where=self.at(key), expected="a non-empty list", got=kind_of(value))
        for index, item in enumerate(value):
            yield f"{self.at(key)}[{index}]", item
