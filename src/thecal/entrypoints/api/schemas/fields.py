"""The field types every API document shares, and the two strict bases every document extends.

Names follow ``XCreate`` / ``XPublic`` / ``XsPublic`` (aesthetics.md §7.3 rule 10). Every document
refuses unknown fields (:class:`In` for requests, :class:`Out` for answers). Text fields refuse
control characters and carry the database's length limits, so bad input is a 422, never a server
error. Quantities in requests are text with their unit (``"5.5 mg/day"``, ``"20 mL"``), read by the
strict parser (``domain/quantity_text.py``); in answers the unit is in the field name and the value
an exact decimal string. Nothing here is a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

__all__ = [
    "DecimalText",
    "Digest",
    "Flag",
    "IdempotencyKey",
    "Ident",
    "In",
    "IsoDate",
    "IsoInstant",
    "Out",
    "Password",
    "QuantityText",
    "RecordId",
    "Version",
    "Whole",
    "text_rule",
]

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


def text_rule(max_length: int, min_length: int = 0) -> StringConstraints:
    """Text without control characters, ``min_length``–``max_length`` characters long."""
    return StringConstraints(max_length=max_length, min_length=min_length, pattern=_NO_CONTROL)


def _iso_text(value: object) -> object:
    """Only ISO text (or a date already parsed) becomes a date: never a number (a timestamp)."""
    if isinstance(value, str | dt.date):
        return value
    msg = "must be an ISO 8601 text"
    raise ValueError(msg)


#: A date or instant given as ISO text only (JSON numbers are not silently read as timestamps).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]


IsoInstant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


#: Exact JSON integers and booleans: no "12" for 12, no 1.0, no true for 1.
Whole = Annotated[int, Strict()]


Flag = Annotated[bool, Strict()]


Ident = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


DecimalText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$")]


#: A quantity with its unit, parsed strictly at the edge ("20 mL", never "20" or ".5 mL").
QuantityText = Annotated[str, text_rule(40, 1)]


#: A client-chosen key that makes a retried request return the first result.
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,100}$")]


Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


Version = Annotated[Whole, Field(ge=1, le=1_000_000_000)]


#: A record id as the database stores it (UUID text).
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,36}$")]


class Out(BaseModel):
    """An answer document: exactly the fields declared."""

    model_config = ConfigDict(extra="forbid")


class In(BaseModel):
    """A request document: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")
