"""Patient Global Impression of Change (PGIC): one item, seven categories.

"Since the start of treatment, how would you describe the change in your overall status?"
1 very much improved … 4 no change … 7 very much worse [S114, S110]. Anchors for a responder:
"minimally improved" is a minimal change, "much improved" moderate, "very much improved"
substantial [S114, S110]; "much improved or better" is the clinically important threshold in the
Farrar anchor study [S115]. Our default responder threshold is "minimally improved or better"
(any improvement the patient reports) [S114]; the outcome policy can raise it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from thecal.domain.instruments.answers import check_answer, check_known_items
from thecal.domain.instruments.errors import NotAnImprovementCategory, RequiredAnswerMissing

__all__ = ["PGIC_ITEMS", "Pgic", "PgicResponse", "PgicScore", "score_pgic"]

NAME = "PGIC"
#: The one answer key: ``{"change": 2}`` for "much improved".
PGIC_ITEMS = ("change",)


class Pgic(Enum):
    """The seven PGIC categories; the value is the number on the form [S114]."""

    VERY_MUCH_IMPROVED = 1
    MUCH_IMPROVED = 2
    MINIMALLY_IMPROVED = 3
    NO_CHANGE = 4
    MINIMALLY_WORSE = 5
    MUCH_WORSE = 6
    VERY_MUCH_WORSE = 7

    @property
    def label(self) -> str:
        """The wording on the form, for example ``"much improved"``."""
        return self.name.lower().replace("_", " ")

    def is_improved(self, min_category: Pgic | None = None) -> bool:
        """Whether this answer is ``min_category`` or better.

        Args:
            min_category: the weakest answer that still counts as improved; one of the three
                improvement categories. ``None`` means "minimally improved" [S114].

        Raises:
            NotAnImprovementCategory: ``min_category`` is "no change" or worse, which would call
                an unchanged or worse patient improved.
        """
        if min_category is None:
            min_category = Pgic.MINIMALLY_IMPROVED
        if min_category.value > Pgic.MINIMALLY_IMPROVED.value:
            raise NotAnImprovementCategory(category=min_category.label)
        return self.value <= min_category.value


@dataclass(frozen=True, slots=True, kw_only=True)
class PgicResponse:
    """A checked PGIC answer.

    Attributes:
        change: the number ticked, 1 (very much improved) to 7 (very much worse); required.

    Raises:
        AnswerNotWholeNumber: ``change`` is not an int.
        AnswerOutOfRange: ``change`` is outside 1–7.
        RequiredAnswerMissing: ``change`` is ``None``.
    """

    change: int

    def __post_init__(self) -> None:
        if check_answer(self.change, instrument=NAME, item="change", low=1, high=7) is None:
            raise RequiredAnswerMissing(instrument=NAME, item="change")

    @classmethod
    def from_answers(cls, answers: Mapping[str, int | None]) -> PgicResponse:
        """Read ``{"change": n}``.

        Raises:
            UnknownItem: a key other than ``"change"``.
            RequiredAnswerMissing: no answer.
        """
        check_known_items(answers, instrument=NAME, known=PGIC_ITEMS)
        change = answers.get("change")
        if change is None:
            raise RequiredAnswerMissing(instrument=NAME, item="change")
        return cls(change=change)


@dataclass(frozen=True, slots=True, kw_only=True)
class PgicScore:
    """A PGIC result: the category the patient chose."""

    category: Pgic


def score_pgic(response: PgicResponse) -> PgicScore:
    """The PGIC category of a checked answer [S114]."""
    return PgicScore(category=Pgic(response.change))
