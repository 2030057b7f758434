"""FHIR JSON with exact decimals: a ``Decimal`` is written as the JSON number it is, digit for digit."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from thecal.domain.units import plain

__all__ = ["fhir_json"]

_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:([0-9.\-]+)"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _MARK + plain(value)
    msg = f"not JSON-serialisable in FHIR output: {value!r}"
    raise TypeError(msg)


def fhir_json(resource: dict[str, Any], *, indent: int | None = None) -> str:
    """``resource`` as JSON; decimals as exact JSON numbers (``0.5``, not ``"0.5"`` or 0.5000001)."""
    text = json.dumps(
        resource, default=_default, indent=indent, ensure_ascii=False, sort_keys=False
    )
    return _MARKED.sub(r"\1", text)
