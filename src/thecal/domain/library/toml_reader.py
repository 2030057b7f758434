"""Reading one TOML table of reference data, naming the file and the dotted field in every error.

Every number is a sourced inline table ``{value, source, confidence[, note]}``; quantities are text
read by the strict quantity parser. Nothing here fills in a default for a clinical number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from thecal.domain.errors import DataFileInvalid, QuantityTextError
from thecal.domain.sourced import Confidence, Sourced

__all__ = [
    "TomlReader",
    "boolean",
    "decimal",
    "positive",
    "positive_decimal",
    "positive_int",
    "text_tuple",
]

T = TypeVar("T")
E = TypeVar("E")


class TomlReader:
    """One TOML table with its file and path; every read names ``file`` and ``path.key``."""

    def __init__(self, file: str, data: Mapping[str, Any], path: str) -> None:
        self.file = file
        self.data = data
        self.path = path

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def fail(self, key: str, detail: str) -> DataFileInvalid:
        return DataFileInvalid(file=self.file, field=self._join(key), detail=detail)

    def child(self, key: str, data: Mapping[str, Any]) -> TomlReader:
        return TomlReader(self.file, data, self._join(key))

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "required field is missing")
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be non-empty text, got {value!r}")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def enum(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)  # type: ignore[call-arg]
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)  # type: ignore[attr-defined]
            raise self.fail(key, f"{value!r} is not one of {known}") from None

    def maybe_enum(self, key: str, kind: type[E], default: E) -> E:
        return self.enum(key, kind) if key in self.data else default

    def parsed(self, key: str, parse: Callable[[Any], T]) -> T:
        try:
            return parse(self.raw(key))
        except (QuantityTextError, ValueError, InvalidOperation, TypeError) as error:
            raise self.fail(key, str(error)) from None

    def table(self, key: str) -> TomlReader:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return self.child(key, value)

    def tables(self, key: str) -> list[TomlReader]:
        value = self.raw(key) if key in self.data else []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, "must be a list of tables")
        return [self.child(f"{key}[{index}]", item) for index, item in enumerate(value)]

    def sourced(self, key: str, parse: Callable[[Any], T]) -> Sourced[T]:
        return self.table(key).as_sourced(parse)

    def maybe_sourced(self, key: str, parse: Callable[[Any], T]) -> Sourced[T] | None:
        if key not in self.data:
            return None
        return self.sourced(key, parse)

    def as_sourced(self, parse: Callable[[Any], T], value_key: str = "value") -> Sourced[T]:
        """This table as a :class:`Sourced` value read from ``value_key``."""
        return self.sourcing(self.parsed(value_key, parse))

    def sourcing(self, value: T) -> Sourced[T]:
        """``value`` with this table's ``source``, ``confidence`` and optional ``note``."""
        source = self.text("source")
        confidence = self.enum("confidence", Confidence)
        note = self.data.get("note", "")
        if not isinstance(note, str):
            raise self.fail("note", "must be text")
        return Sourced(value=value, source=source, confidence=confidence, note=note)


def decimal(raw: Any) -> Decimal:
    """A finite number ≥ 0 written as text or an integer."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        msg = f"write the number as text or an integer, got {raw!r}"
        raise TypeError(msg)
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        msg = f"must be a finite number ≥ 0, got {raw!r}"
        raise ValueError(msg)
    return value


def positive_decimal(raw: Any) -> Decimal:
    """A finite number > 0 written as text or an integer."""
    value = decimal(raw)
    if value <= 0:
        msg = f"must be greater than zero, got {raw!r}"
        raise ValueError(msg)
    return value


def positive_int(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
        msg = f"must be a whole number > 0, got {raw!r}"
        raise ValueError(msg)
    return raw


def boolean(raw: Any) -> bool:
    if not isinstance(raw, bool):
        msg = f"must be true or false, got {raw!r}"
        raise TypeError(msg)
    return raw


def text_tuple(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        msg = f"must be a list of ids, got {raw!r}"
        raise TypeError(msg)
    return tuple(raw)


def positive(parse: Callable[[str], T]) -> Callable[[Any], T]:
    """A quantity parser that also refuses zero."""

    def parse_positive(raw: Any) -> T:
        if not isinstance(raw, str):
            msg = f"write the quantity as text with its unit, got {raw!r}"
            raise TypeError(msg)
        value = parse(raw)
        if getattr(value, "value", Decimal(1)) <= 0:
            msg = f"must be greater than zero, got {raw!r}"
            raise ValueError(msg)
        return value

    return parse_positive
