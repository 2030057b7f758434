"""EQ-5D-5L: a five-dimension health profile and the EQ VAS.

The descriptive system has five dimensions — mobility, self-care, usual activities,
pain/discomfort, anxiety/depression — each answered on five levels, 1 (no problems) to 5
(extreme problems / unable). The five levels written in that order make the **profile**, a
5-digit string such as ``"21143"`` [S120]. The **EQ VAS** is a separate 0–100 rating of health
today [S120].

The **index** (1 = full health, 0 = dead) exists only through a national *value set* [S120].
Value sets are licensed, so thecal ships none: a clinic loads the one it is licensed to use as
data (:mod:`thecal.domain.instruments.eq5d_value_set`). Without a value set the index is
``None`` — never guessed.

Missing answers (our rule): the profile needs all five dimensions; with any dimension blank the
profile and index are ``None`` with a reason. The EQ VAS is independent: it may be given or blank
whatever the profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.instruments.answers import check_answer, check_known_items
from thecal.domain.instruments.eq5d_value_set import Eq5dDimension, ValueSet

__all__ = [
    "EQ5D_ITEMS",
    "EQ_VAS_ITEM",
    "Eq5d5lResponse",
    "Eq5d5lScore",
    "Eq5dDimension",
    "score_eq5d5l",
]

NAME = "EQ-5D-5L"
EQ_VAS_ITEM = "vas"
#: Answer keys: the five dimensions in profile order, then the EQ VAS.
EQ5D_ITEMS = (*(dimension.value for dimension in Eq5dDimension), EQ_VAS_ITEM)


def _label(dimension: Enum) -> str:
    return str(dimension.value).replace("_", " ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Eq5d5lResponse:
    """Checked EQ-5D-5L answers; ``None`` marks a blank.

    Attributes:
        mobility, self_care, usual_activities, pain_discomfort, anxiety_depression: levels 1–5.
        vas: the EQ VAS, 0–100.

    Raises:
        AnswerNotWholeNumber: an answer is not an int.
        AnswerOutOfRange: a level outside 1–5 or a VAS outside 0–100.
    """

    mobility: int | None = None
    self_care: int | None = None
    usual_activities: int | None = None
    pain_discomfort: int | None = None
    anxiety_depression: int | None = None
    vas: int | None = None

    def __post_init__(self) -> None:
        for dimension in Eq5dDimension:
            check_answer(
                getattr(self, dimension.value),
                instrument=NAME,
                item=_label(dimension),
                low=1,
                high=5,
            )
        check_answer(self.vas, instrument=NAME, item="EQ VAS", low=0, high=100)

    @classmethod
    def from_answers(cls, answers: Mapping[str, int | None]) -> Eq5d5lResponse:
        """Read answers keyed by :data:`EQ5D_ITEMS`; absent keys are blank.

        Raises:
            UnknownItem: a key that is neither a dimension nor ``"vas"``.
        """
        check_known_items(answers, instrument=NAME, known=EQ5D_ITEMS)
        return cls(
            mobility=answers.get("mobility"),
            self_care=answers.get("self_care"),
            usual_activities=answers.get("usual_activities"),
            pain_discomfort=answers.get("pain_discomfort"),
            anxiety_depression=answers.get("anxiety_depression"),
            vas=answers.get(EQ_VAS_ITEM),
        )

    @property
    def levels(self) -> tuple[int | None, ...]:
        """The five levels in profile order (mobility first)."""
        return tuple(getattr(self, dimension.value) for dimension in Eq5dDimension)


@dataclass(frozen=True, slots=True, kw_only=True)
class Eq5d5lScore:
    """EQ-5D-5L results.

    Attributes:
        profile: the 5-digit profile (``"21143"``), or ``None`` when a dimension is blank.
        profile_unscored_reason: why ``profile`` is ``None``; else ``None``.
        vas: the EQ VAS 0–100 as a Decimal, or ``None`` when blank.
        index: the value-set index, or ``None`` without a value set or without a profile.
        index_unscored_reason: why ``index`` is ``None``; else ``None``.
        value_set: the name of the value set the index came from, or ``None``.
    """

    profile: str | None
    profile_unscored_reason: str | None
    vas: Decimal | None
    index: Decimal | None
    index_unscored_reason: str | None
    value_set: str | None


def score_eq5d5l(response: Eq5d5lResponse, *, value_set: ValueSet | None = None) -> Eq5d5lScore:
    """Profile, EQ VAS and (only with a value set) index of EQ-5D-5L answers [S120].

    Args:
        response: the checked answers.
        value_set: the clinic's licensed value set; without one the index is ``None``.
    """
    vas = None if response.vas is None else Decimal(response.vas)
    blank = [
        _label(dimension)
        for dimension, level in zip(Eq5dDimension, response.levels, strict=True)
        if level is None
    ]
    if blank:
        reason = f"no profile: {', '.join(blank)} unanswered"
        return Eq5d5lScore(
            profile=None,
            profile_unscored_reason=reason,
            vas=vas,
            index=None,
            index_unscored_reason=reason,
            value_set=None,
        )
    levels = tuple(level for level in response.levels if level is not None)
    profile = "".join(str(level) for level in levels)
    if value_set is None:
        return Eq5d5lScore(
            profile=profile,
            profile_unscored_reason=None,
            vas=vas,
            index=None,
            index_unscored_reason="no value set loaded; the index is never guessed",
            value_set=None,
        )
    return Eq5d5lScore(
        profile=profile,
        profile_unscored_reason=None,
        vas=vas,
        index=value_set.index(levels),
        index_unscored_reason=None,
        value_set=value_set.name,
    )
