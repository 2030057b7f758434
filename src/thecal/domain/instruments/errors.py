"""Errors raised while reading patient-reported outcome answers.

Every leaf is a :class:`~thecal.domain.errors.InvalidInput` (so a ``ValueError``): the answers
were refused and nothing was scored. Each leaf has its own stable code and renders its message
from the fields it was given, so the numbers a nurse typed are always in the message.

::

    InvalidInput (thecal.domain.errors)
    └── InstrumentInputError                THC-PRO-000
        ├── AnswerOutOfRange                  THC-PRO-001  "ODI section 4 answer 6 is outside 0–5"
        ├── AnswerNotWholeNumber              THC-PRO-002  True, 5.0, "5" where 0–10 is asked
        ├── WrongItemCount                    THC-PRO-003  9 ODI sections instead of 10
        ├── UnknownItem                       THC-PRO-004  an answer key the instrument lacks
        ├── RequiredAnswerMissing             THC-PRO-005  NRS or PGIC left blank
        ├── UnknownInstrument                 THC-PRO-006  an instrument code nobody defined
        ├── UnknownDimension                  THC-PRO-007  a value set naming no EQ-5D dimension
        ├── ValueSetInvalid                   THC-PRO-008  a value set of the wrong shape
        └── NotAnImprovementCategory          THC-PRO-009  a PGIC threshold of "no change" or worse
"""

from __future__ import annotations

from thecal.domain.errors import InvalidInput

__all__ = [
    "AnswerNotWholeNumber",
    "AnswerOutOfRange",
    "InstrumentInputError",
    "NotAnImprovementCategory",
    "RequiredAnswerMissing",
    "UnknownDimension",
    "UnknownInstrument",
    "UnknownItem",
    "ValueSetInvalid",
    "WrongItemCount",
]


class InstrumentInputError(InvalidInput):
    """Answers to a questionnaire (or its reference data) that cannot be scored."""

    code = "THC-PRO-000"
    template = "{detail}"


class AnswerOutOfRange(InstrumentInputError):
    """An answer outside the item's scale, for example 11 on a 0–10 NRS."""

    code = "THC-PRO-001"
    template = "{instrument} {item} answer {value} is outside {low}–{high}"


class AnswerNotWholeNumber(InstrumentInputError):
    """An answer that is not an ``int``: ``bool``, ``float`` and text are refused, never coerced."""

    code = "THC-PRO-002"
    template = (
        "{instrument} {item} answer must be a whole number {low}–{high}, not {kind} {value!r}"
    )


class WrongItemCount(InstrumentInputError):
    """A sequence of answers with the wrong number of items."""

    code = "THC-PRO-003"
    template = "{instrument} {part} has {expected} items, got {got}"


class UnknownItem(InstrumentInputError):
    """An answer keyed by a name the instrument does not have."""

    code = "THC-PRO-004"
    template = "{instrument} has no item {item!r}; its items are {known}"


class RequiredAnswerMissing(InstrumentInputError):
    """A blank answer on an item without which nothing can be scored."""

    code = "THC-PRO-005"
    template = "{instrument} {item} is unanswered; the instrument cannot be scored without it"


class UnknownInstrument(InstrumentInputError):
    """An instrument code that is not one of :class:`~thecal.domain.instruments.Instrument`."""

    code = "THC-PRO-006"
    template = "unknown instrument {code!r}; known instruments are {known}"


class UnknownDimension(InstrumentInputError):
    """An EQ-5D value set naming a dimension the descriptive system does not have."""

    code = "THC-PRO-007"
    template = "value set {value_set!r}: unknown EQ-5D dimension {dimension!r}; known are {known}"


class ValueSetInvalid(InstrumentInputError):
    """An EQ-5D value set that does not have the documented shape."""

    code = "THC-PRO-008"
    template = "value set {value_set!r}: {field}: {detail}"


class NotAnImprovementCategory(InstrumentInputError):
    """A PGIC responder threshold that is not one of the three improvement categories."""

    code = "THC-PRO-009"
    template = (
        "PGIC threshold {category} is not an improvement category; "
        "choose very much, much or minimally improved"
    )
