"""Reading raw answers: the checks every instrument shares.

An *answer* is what the patient ticked: a whole number on the item's scale, or ``None`` when the
item was left blank. Answers arrive as a ``Mapping[str, int | None]`` keyed by item name (what the
persistence layer stores) and are checked here before any instrument scores them:

* a key the instrument does not know is refused (:class:`UnknownItem`), never ignored;
* a key that is absent means the same as ``None``: unanswered;
* ``bool``, ``float``, ``Decimal`` and text are refused (:class:`AnswerNotWholeNumber`): ``True``
  is not 1 and ``5.0`` is not an answer anyone ticked;
* a whole number off the scale is refused (:class:`AnswerOutOfRange`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal

from thecal.domain.instruments.errors import (
    AnswerNotWholeNumber,
    AnswerOutOfRange,
    UnknownItem,
    WrongItemCount,
)

__all__ = ["SCORE_CONTEXT", "check_answer", "check_item_count", "check_known_items", "mean"]

#: Division for scores uses 28 significant digits (as :mod:`thecal.domain.units` does): exact
#: whenever the mean has a finite decimal expansion, otherwise the 28-digit quotient is kept and
#: display code rounds.
SCORE_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


def check_answer(value: object, *, instrument: str, item: str, low: int, high: int) -> int | None:
    """Return ``value`` as a checked answer on the scale ``low``–``high``, or ``None`` if blank.

    Args:
        value: the raw answer.
        instrument: the instrument's display name, for the message ("ODI").
        item: the item's display name, for the message ("section 4").
        low: the lowest answer on the scale.
        high: the highest answer on the scale.

    Raises:
        AnswerNotWholeNumber: ``value`` is a bool, float, Decimal, text or anything but an int.
        AnswerOutOfRange: ``value`` is an int outside ``low``–``high``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerNotWholeNumber(
            instrument=instrument,
            item=item,
            low=low,
            high=high,
            kind=type(value).__name__,
            value=value,
        )
    if not low <= value <= high:
        raise AnswerOutOfRange(instrument=instrument, item=item, value=value, low=low, high=high)
    return value


def check_known_items(
    answers: Mapping[str, object], *, instrument: str, known: Sequence[str]
) -> None:
    """Refuse any key of ``answers`` that is not one of the instrument's item names.

    Raises:
        UnknownItem: for the first unknown key, in sorted order (so the message is stable).
    """
    unknown = sorted(set(answers) - set(known), key=str)
    if unknown:
        raise UnknownItem(instrument=instrument, item=unknown[0], known=", ".join(known))


def check_item_count(items: Sequence[object], *, instrument: str, part: str, expected: int) -> None:
    """Refuse a sequence of answers that does not have exactly ``expected`` items.

    Raises:
        WrongItemCount: ``len(items) != expected``.
    """
    if len(items) != expected:
        raise WrongItemCount(instrument=instrument, part=part, expected=expected, got=len(items))


def mean(values: Iterable[int]) -> Decimal:
    """The arithmetic mean of whole-number answers as a Decimal (28 significant digits).

    Raises:
        ZeroDivisionError: for no values; callers check their minimum item count first.
    """
    answers = list(values)
    if not answers:
        msg = "mean of no answers"
        raise ZeroDivisionError(msg)
    return SCORE_CONTEXT.divide(Decimal(sum(answers)), Decimal(len(answers)))
