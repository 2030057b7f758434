"""Reading the pathway pages' form fields: text in, typed values out, or a specific 422.

Only syntax is checked here (is it a whole number, a date-time, one of the options); ranges and
clinical rules stay in the domain and the services. Quantities go through the strict parser
(``domain/quantity_text.py``), so "0.5" without a unit or ".5 mg" is refused with its own code.

Errors keep the work (issue 13 §5): a page reads each field through :func:`at_field`, so a refused
text names its field; the handler turns the error into a :class:`FormRefusal` and shows the form
again with what was typed and the message next to that field (``_macros.html`` ``field_error``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TypeVar

from thecal.domain.errors import InvalidInput, RequestInvalid, ThecalError
from thecal.domain.program_change import FindingSeverity, FindingSummary

__all__ = [
    "SEVERITY_ORDER",
    "FieldRefused",
    "FormRefusal",
    "at_field",
    "by_severity",
    "choice",
    "decimal_number",
    "local_instant",
    "optional_whole",
    "version",
    "whole",
]

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FormRefusal:
    """Why a form was refused, for the page: next to ``field`` (a form field's name), or at the
    form's top when no one field is at fault (``field`` empty)."""

    message: str
    code: str
    field: str = ""

    @classmethod
    def of(cls, error: ThecalError | FieldRefused, fields: Sequence[str] = ()) -> FormRefusal:
        """The refusal of ``error``: at the field :func:`at_field` named, or at the one of
        ``fields`` (the form's field names) the error's ``where`` names, else at the top."""
        if isinstance(error, FieldRefused):
            return cls(message=error.error.message, code=error.error.code, field=error.field)
        where = str(error.fields.get("where", ""))
        return cls(message=error.message, code=error.code, field=where if where in fields else "")


class FieldRefused(Exception):
    """A field's text refused by its parser, with the field's name (raised by :func:`at_field`;
    every handler that reads through it catches it and shows the form again)."""

    def __init__(self, field: str, error: InvalidInput) -> None:
        super().__init__(f"{field}: {error.message}")
        self.field = field
        self.error = error


def at_field(field: str, read: Callable[[], T]) -> T:
    """``read()`` (a parser of one form field); its InvalidInput is raised as
    :class:`FieldRefused` naming ``field``."""
    try:
        return read()
    except InvalidInput as error:
        raise FieldRefused(field, error) from error


#: A plain decimal as the API takes one: a leading digit, at most 9 before and 6 after the point.
_PLAIN_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?")

SEVERITY_ORDER = (
    FindingSeverity.BLOCK,
    FindingSeverity.OVERRIDE,
    FindingSeverity.WARN,
    FindingSeverity.INFO,
)


def by_severity(
    findings: Sequence[FindingSummary],
) -> list[tuple[FindingSeverity, list[FindingSummary]]]:
    """Findings grouped block → override → warn → info (empty groups left out)."""
    groups = [(s, [f for f in findings if f.severity is s]) for s in SEVERITY_ORDER]
    return [(s, items) for s, items in groups if items]


def optional_whole(form: dict[str, str], field: str, label: str) -> int | None:
    """A whole number, or None when the field is blank."""
    text = form.get(field, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise RequestInvalid(where=label, detail=f"{text!r} is not a whole number")
    return int(text)


def whole(form: dict[str, str], field: str, label: str) -> int:
    value = optional_whole(form, field, label)
    if value is None:
        raise RequestInvalid(where=label, detail="is required")
    return value


def version(form: dict[str, str]) -> int:
    """The record version the page showed (optimistic locking)."""
    text = form.get("expected_version", "").strip()
    if not text.isdigit():
        raise RequestInvalid(where="expected_version", detail="reload the page and try again")
    return int(text)


def choice(form: dict[str, str], field: str, label: str, options: type[E]) -> E:
    """One of an enumeration's values."""
    text = form.get(field, "").strip()
    for option in options:
        if option.value == text:
            return option
    known = ", ".join(str(o.value) for o in options)
    raise RequestInvalid(where=label, detail=f"choose one of {known}")


def decimal_number(form: dict[str, str], field: str, label: str) -> Decimal:
    """A plain decimal number written with a leading digit (``1.5``, not ``.5``)."""
    text = form.get(field, "").strip()
    if not _PLAIN_DECIMAL.fullmatch(text):  # no ".5", "5.", "1e1", "1E+999999999" (issue 15 §5)
        raise RequestInvalid(where=label, detail=f"{text!r} is not a number like 1.5")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits plain decimals only
        raise RequestInvalid(where=label, detail=f"{text!r} is not a number") from None


def local_instant(form: dict[str, str], field: str, label: str) -> dt.datetime:
    """A date-time from an ``<input type="datetime-local">`` (read as UTC, the clinic clock)."""
    text = form.get(field, "").strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(
            where=label, detail=f"{text!r} is not a date and time (YYYY-MM-DDTHH:MM)"
        ) from None
    return value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)
