"""Quantities in and out of API documents.

In: text read by the strict parser only; a refusal keeps its own ``THC-QTY-*`` code and gains
``fields.where`` (the request field it came from), so the client knows which entry to fix.
Out: a volume as the exact decimal text of its mL (fields named ``…_ml``) where the value is exact
(what was measured, ordered, filled or counted by the pump); an **estimate** computed through a
division (flow × time, dose ÷ concentration: often a repeating decimal) is rounded half-even to
0.0001 mL (0.1 µL, far below any pump's accuracy) by :func:`estimate_ml_text`, and its field says
so, and a computed flow to 1 nL/day by :func:`flow_text` (docs/web.md, "Precision").
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeVar

from thecal.domain.errors import QuantityTextError
from thecal.domain.units import FlowRate, Volume, plain

__all__ = [
    "ESTIMATE_ML_STEP",
    "FLOW_STEP",
    "estimate_ml_text",
    "flow_text",
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


#: The step an estimated volume is rounded to in JSON (half-even): 0.0001 mL.
ESTIMATE_ML_STEP = Decimal("0.0001")
ESTIMATE_NOTE = "an estimate, rounded half-even to 0.0001 mL"


def ml_text(volume: Volume | None) -> str | None:
    """The exact decimal text of a volume in mL (an exact value: measured, ordered, counted)."""
    return None if volume is None else plain(volume.ml)


#: The step a computed flow (dose ÷ concentration) is rounded to in JSON (half-even): 1 nL/day.
FLOW_STEP = Decimal("0.000001")


def flow_text(flow: FlowRate) -> str:
    """A computed flow in mL/day with its unit, rounded half-even to :data:`FLOW_STEP`."""
    return f"{plain(flow.value.quantize(FLOW_STEP, rounding=ROUND_HALF_EVEN))} mL/day"


def estimate_ml_text(volume: Volume) -> str:
    """An estimated volume in mL, rounded half-even to :data:`ESTIMATE_ML_STEP`."""
    return plain(volume.ml.quantize(ESTIMATE_ML_STEP, rounding=ROUND_HALF_EVEN))
