"""The two column types every table uses for clinical values.

Exact numbers use :class:`ExactDecimal` (NUMERIC on PostgreSQL, canonical text on SQLite), never
floats; instants use :class:`UtcDateTime` (timezone-aware UTC, naive values refused).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, String, TypeDecorator
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

__all__ = [
    "ExactDecimal",
    "UtcDateTime",
]


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC on PostgreSQL, the canonical decimal text on SQLite."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.NUMERIC())
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            msg = f"ExactDecimal takes a finite Decimal, not {value!r}"
            raise TypeError(msg)
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:  # noqa: ARG002
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(value)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant: refuses naive values; SQLite's naive text is read as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.utcoffset() is None:
            msg = "UtcDateTime refuses a naive datetime"
            raise ValueError(msg)
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
