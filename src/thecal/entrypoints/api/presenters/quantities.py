"""Quantities in and out of API documents.

In: text read by the strict parser only; a refusal keeps its own ``THC-QTY-*`` code and gains
``fields.where`` (the request field it came from), so the client knows which entry to fix.
Out: a volume as the exact decimal text of its mL (fields named ``…_ml``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from thecal.domain.errors import QuantityTextError
from thecal.domain.units import Volume, plain

__all__ = [
    "ml_text",
    "quantity",
]

_Q = TypeVar("_Q")


def quantity(parse: Callable[[str], _Q], text: str, *, where: str) -> _Q:
    """``parse(text)`` strictly; a refusal keeps its code and names the request field in ``where``.

    Raises:
        QuantityTextError: the text is not one unambiguous quantity of the expected kind.
    """
    try:
        return parse(text)
    except QuantityTextError as error:
        error.fields.setdefault("where", where)
        raise


def ml_text(volume: Volume | None) -> str | None:
    return None if volume is None else plain(volume.ml)
