"""Brief Pain Inventory, short form (BPI-SF): pain severity and pain interference.

Nine scored items, each a whole number 0–10 [S116, S117]:

* four **severity** items — pain at its worst, least, on average (last 24 h) and right now;
* seven **interference** items — how much pain interfered with general activity, mood, walking
  ability, normal work, relations with others, sleep and enjoyment of life.

Scoring [S116, S117]:

* **Severity score** = mean of the four severity items. Missing-item rule (ours, conservative):
  all four are needed by default (``min_severity_items=4``). The sources say only "averaged"; the
  four items are not interchangeable (worst and least differ by design), so a mean of three would
  shift the score. With fewer answered the score is ``None`` and the reason says why.
* **Interference score** = mean of the *answered* interference items, computed only when at least
  4 of the 7 are answered [S116, S117] (``min_interference_items=4``); otherwise ``None`` with a
  reason.
* **Severity band** 0–4 mild, 5–6 moderate, 7–10 severe [S116, S117] of the **worst-pain item**:
  the cut-points were derived for worst pain (Serlin et al. 1995, the origin of the bands S116 and
  S117 quote) and are not applied to the mean of the four items, which runs lower (``worst_pain``,
  ``worst_pain_band``; no band when worst pain is blank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments.answers import (
    check_answer,
    check_item_count,
    check_known_items,
    mean,
)

__all__ = [
    "BPI_INTERFERENCE_ITEMS",
    "BPI_ITEMS",
    "BPI_SEVERITY_ITEMS",
    "BpiResponse",
    "BpiScore",
    "BpiSeverityBand",
    "score_bpi",
]

NAME = "BPI-SF"
#: Severity answer keys, in questionnaire order (items 3–6).
BPI_SEVERITY_ITEMS = ("worst", "least", "average", "now")
#: Interference answer keys, in questionnaire order (items 9A–9G).
BPI_INTERFERENCE_ITEMS = (
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations_with_others",
    "sleep",
    "enjoyment_of_life",
)
BPI_ITEMS = BPI_SEVERITY_ITEMS + BPI_INTERFERENCE_ITEMS

_MODERATE_FROM = Decimal(5)
_SEVERE_FROM = Decimal(7)


class BpiSeverityBand(Enum):
    """Severity bands of the BPI worst-pain item [S116, S117] (derived for worst pain)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @classmethod
    def of(cls, severity: Decimal) -> BpiSeverityBand:
        """The band of a worst-pain answer: below 5 mild, 5 to below 7 moderate, 7+ severe."""
        if severity < _MODERATE_FROM:
            return cls.MILD
        if severity < _SEVERE_FROM:
            return cls.MODERATE
        return cls.SEVERE


def _check(item: str, value: object) -> int | None:
    return check_answer(value, instrument=NAME, item=item.replace("_", " "), low=0, high=10)


@dataclass(frozen=True, slots=True, kw_only=True)
class BpiResponse:
    """Checked BPI-SF answers; ``None`` marks an item left blank.

    Attributes:
        worst: worst pain in the last 24 hours, 0–10.
        least: least pain in the last 24 hours, 0–10.
        average: pain on average, 0–10 (the item outcome reports use as "pain").
        now: pain right now, 0–10.
        interference: the seven interference answers in the order of
            :data:`BPI_INTERFERENCE_ITEMS`, each 0–10 or ``None``.

    Raises:
        AnswerNotWholeNumber: an answer is not an int.
        AnswerOutOfRange: an answer is outside 0–10.
        WrongItemCount: ``interference`` does not have exactly seven entries.
    """

    worst: int | None = None
    least: int | None = None
    average: int | None = None
    now: int | None = None
    interference: tuple[int | None, ...] = (None,) * len(BPI_INTERFERENCE_ITEMS)

    def __post_init__(self) -> None:
        for item in BPI_SEVERITY_ITEMS:
            _check(item, getattr(self, item))
        check_item_count(
            self.interference,
            instrument=NAME,
            part="interference",
            expected=len(BPI_INTERFERENCE_ITEMS),
        )
        for item, value in zip(BPI_INTERFERENCE_ITEMS, self.interference, strict=True):
            _check(item, value)

    @classmethod
    def from_answers(cls, answers: Mapping[str, int | None]) -> BpiResponse:
        """Read answers keyed by :data:`BPI_ITEMS`; absent keys are unanswered.

        Raises:
            UnknownItem: a key that is not a BPI-SF item.
        """
        check_known_items(answers, instrument=NAME, known=BPI_ITEMS)
        return cls(
            worst=answers.get("worst"),
            least=answers.get("least"),
            average=answers.get("average"),
            now=answers.get("now"),
            interference=tuple(answers.get(item) for item in BPI_INTERFERENCE_ITEMS),
        )

    @property
    def severity_answers(self) -> tuple[int | None, ...]:
        """The four severity answers in the order of :data:`BPI_SEVERITY_ITEMS`."""
        return (self.worst, self.least, self.average, self.now)


@dataclass(frozen=True, slots=True, kw_only=True)
class BpiScore:
    """BPI-SF scores. A score that cannot be computed is ``None`` and its reason is given.

    Attributes:
        severity: mean of the four severity items, 0–10.
        worst_pain: the "pain at its worst" item as a Decimal, or ``None`` if blank.
        worst_pain_band: mild, moderate or severe, of the worst-pain item (the item the bands
            were derived for); ``None`` when it is blank.
        severity_unscored_reason: why ``severity`` is ``None``; else ``None``.
        interference: mean of the answered interference items, 0–10.
        interference_answered: how many of the seven interference items were answered.
        interference_unscored_reason: why ``interference`` is ``None``; else ``None``.
        average_pain: the "pain on average" item as a Decimal, or ``None`` if blank.
    """

    severity: Decimal | None
    worst_pain: Decimal | None
    worst_pain_band: BpiSeverityBand | None
    severity_unscored_reason: str | None
    interference: Decimal | None
    interference_answered: int
    interference_unscored_reason: str | None
    average_pain: Decimal | None


def score_bpi(
    response: BpiResponse, *, min_severity_items: int = 4, min_interference_items: int = 4
) -> BpiScore:
    """Score BPI-SF answers [S116, S117].

    Args:
        response: the checked answers.
        min_severity_items: answered severity items needed for a severity score (1–4;
            default 4, our conservative rule, see the module docstring).
        min_interference_items: answered interference items needed for an interference score
            (1–7; default 4 of 7 [S116, S117]).

    Raises:
        ValueOutOfRange: a minimum outside its range.
    """
    if not 1 <= min_severity_items <= len(BPI_SEVERITY_ITEMS):
        raise ValueOutOfRange(name="min_severity_items", expected="1–4", value=min_severity_items)
    if not 1 <= min_interference_items <= len(BPI_INTERFERENCE_ITEMS):
        raise ValueOutOfRange(
            name="min_interference_items", expected="1–7", value=min_interference_items
        )
    severity_answers = [a for a in response.severity_answers if a is not None]
    severity: Decimal | None = None
    severity_reason: str | None = None
    if len(severity_answers) >= min_severity_items:
        severity = mean(severity_answers)
    else:
        severity_reason = (
            f"{len(severity_answers)} of 4 severity items answered; "
            f"at least {min_severity_items} needed"
        )
    interference_answers = [a for a in response.interference if a is not None]
    interference: Decimal | None = None
    interference_reason: str | None = None
    if len(interference_answers) >= min_interference_items:
        interference = mean(interference_answers)
    else:
        interference_reason = (
            f"{len(interference_answers)} of 7 interference items answered; "
            f"at least {min_interference_items} needed"
        )
    return BpiScore(
        severity=severity,
        worst_pain=None if response.worst is None else Decimal(response.worst),
        worst_pain_band=None
        if response.worst is None
        else BpiSeverityBand.of(Decimal(response.worst)),
        severity_unscored_reason=severity_reason,
        interference=interference,
        interference_answered=len(interference_answers),
        interference_unscored_reason=interference_reason,
        average_pain=None if response.average is None else Decimal(response.average),
    )
