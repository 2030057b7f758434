"""Numeric Rating Scale (NRS) for pain intensity.

One item, a whole number from 0 (no pain) to 10 (worst pain imaginable) [S110, S111]. Changes are
judged in percent of the baseline: 10–20 % minimal, at least 30 % moderate, at least 50 %
substantial (IMMPACT) [S110]; the outcome report applies those thresholds, not this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.instruments.answers import check_answer, check_known_items
from thecal.domain.instruments.errors import RequiredAnswerMissing

__all__ = ["NRS_ITEMS", "NRS_MAX", "NRS_MIN", "NrsResponse", "NrsScore", "score_nrs"]

NAME = "NRS"
NRS_MIN = 0
NRS_MAX = 10
#: The one answer key: ``{"pain": 7}``.
NRS_ITEMS = ("pain",)


@dataclass(frozen=True, slots=True, kw_only=True)
class NrsResponse:
    """A checked NRS answer.

    Attributes:
        pain: pain intensity 0–10; required.

    Raises:
        AnswerNotWholeNumber: ``pain`` is not an int (``True`` is not 1).
        AnswerOutOfRange: ``pain`` is outside 0–10.
        RequiredAnswerMissing: ``pain`` is ``None``.
    """

    pain: int

    def __post_init__(self) -> None:
        value = check_answer(self.pain, instrument=NAME, item="pain", low=NRS_MIN, high=NRS_MAX)
        if value is None:
            raise RequiredAnswerMissing(instrument=NAME, item="pain")

    @classmethod
    def from_answers(cls, answers: Mapping[str, int | None]) -> NrsResponse:
        """Read ``{"pain": n}``.

        Raises:
            UnknownItem: a key other than ``"pain"``.
            RequiredAnswerMissing: no pain answer.
        """
        check_known_items(answers, instrument=NAME, known=NRS_ITEMS)
        pain = answers.get("pain")
        if pain is None:
            raise RequiredAnswerMissing(instrument=NAME, item="pain")
        return cls(pain=pain)


@dataclass(frozen=True, slots=True, kw_only=True)
class NrsScore:
    """The NRS score: the answer itself, as an exact Decimal 0–10."""

    pain: Decimal


def score_nrs(response: NrsResponse) -> NrsScore:
    """Score an NRS answer: the score is the number ticked [S110]."""
    return NrsScore(pain=Decimal(response.pain))
