"""Oswestry Disability Index (ODI): disability from low-back pain, in percent.

Ten sections, each answered 0 (no disability) to 5 (worst) [S118, S119]. The score is

    ODI % = sum of answered sections / (5 × number of answered sections) × 100

so a skipped section (section 8, sex life, often is) does not count against the patient [S118].

Missing-section rule (a clinic parameter, ``max_missing_sections``, default 2): the score is
computed when at most 2 of the 10 sections are blank, and is ``None`` with a reason when more
are blank. The formula itself allows any number of blanks [S118]; the limit of 2 is our policy
default (a score from fewer than 8 sections is read as too thin to chart) and every blank section
is listed in :attr:`OdiScore.missing_sections`, so a partial score is always visible as partial.

Bands of the score [S118]: 0–20 minimal disability, 21–40 moderate, 41–60 severe, 61–80 crippled,
81–100 bed-bound. With blank sections the percent need not be whole; we read each band up to and
including its upper bound (20 is minimal, 20.5 moderate). A change of about 10 points is the
minimal detectable change [S118, S119]; the outcome report applies it, not this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments.answers import (
    SCORE_CONTEXT,
    check_answer,
    check_item_count,
    check_known_items,
)

__all__ = [
    "ODI_ITEMS",
    "ODI_SECTION_MAX",
    "OdiBand",
    "OdiResponse",
    "OdiScore",
    "score_odi",
]

NAME = "ODI"
ODI_SECTION_MAX = 5
#: Section answer keys in questionnaire order: section 1 is ``"pain_intensity"``.
ODI_ITEMS = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)
DEFAULT_MAX_MISSING_SECTIONS = 2


class OdiBand(Enum):
    """Disability bands of the ODI percent [S118]; ``upper`` is the inclusive upper bound."""

    MINIMAL = ("minimal", 20)
    MODERATE = ("moderate", 40)
    SEVERE = ("severe", 60)
    CRIPPLED = ("crippled", 80)
    BED_BOUND = ("bed-bound", 100)

    def __init__(self, label: str, upper: int) -> None:
        self.label = label
        self.upper = upper

    @classmethod
    def of(cls, percent: Decimal) -> OdiBand:
        """The band of an ODI percent 0–100."""
        for band in cls:
            if percent <= band.upper:
                return band
        return cls.BED_BOUND


@dataclass(frozen=True, slots=True, kw_only=True)
class OdiResponse:
    """Checked ODI answers.

    Attributes:
        sections: ten answers 0–5 in the order of :data:`ODI_ITEMS`; ``None`` for a blank.

    Raises:
        WrongItemCount: not exactly ten sections.
        AnswerNotWholeNumber: an answer is not an int.
        AnswerOutOfRange: an answer is outside 0–5 ("ODI section 4 answer 6 is outside 0–5").
    """

    sections: tuple[int | None, ...]

    def __post_init__(self) -> None:
        check_item_count(self.sections, instrument=NAME, part="form", expected=len(ODI_ITEMS))
        for number, value in enumerate(self.sections, start=1):
            check_answer(
                value, instrument=NAME, item=f"section {number}", low=0, high=ODI_SECTION_MAX
            )

    @classmethod
    def from_answers(cls, answers: Mapping[str, int | None]) -> OdiResponse:
        """Read answers keyed by :data:`ODI_ITEMS`; absent keys are blank sections.

        Raises:
            UnknownItem: a key that is not an ODI section.
        """
        check_known_items(answers, instrument=NAME, known=ODI_ITEMS)
        return cls(sections=tuple(answers.get(item) for item in ODI_ITEMS))


@dataclass(frozen=True, slots=True, kw_only=True)
class OdiScore:
    """An ODI score.

    Attributes:
        percent: the ODI in percent 0–100 (Decimal, 28 significant digits when the division does
            not terminate), or ``None`` when too many sections are blank.
        band: the disability band of ``percent``, or ``None``.
        answered: how many sections were answered.
        missing_sections: the 1-based numbers of the blank sections (empty when complete).
        unscored_reason: why ``percent`` is ``None``; else ``None``.
    """

    percent: Decimal | None
    band: OdiBand | None
    answered: int
    missing_sections: tuple[int, ...]
    unscored_reason: str | None

    @property
    def is_partial(self) -> bool:
        """Whether the score rests on fewer than all ten sections."""
        return bool(self.missing_sections)


def score_odi(
    response: OdiResponse, *, max_missing_sections: int = DEFAULT_MAX_MISSING_SECTIONS
) -> OdiScore:
    """Score ODI answers: sum / (5 × answered) × 100 [S118, S119].

    Args:
        response: the checked answers.
        max_missing_sections: how many blank sections still give a score (0–9, default 2).

    Raises:
        ValueOutOfRange: ``max_missing_sections`` outside 0–9 (one section must be answered).
    """
    if not 0 <= max_missing_sections <= len(ODI_ITEMS) - 1:
        raise ValueOutOfRange(
            name="max_missing_sections", expected="0–9", value=max_missing_sections
        )
    answered = [value for value in response.sections if value is not None]
    missing = tuple(n for n, value in enumerate(response.sections, start=1) if value is None)
    if len(missing) > max_missing_sections:
        return OdiScore(
            percent=None,
            band=None,
            answered=len(answered),
            missing_sections=missing,
            unscored_reason=(
                f"{len(missing)} of 10 sections unanswered; "
                f"at most {max_missing_sections} may be missing"
            ),
        )
    percent = SCORE_CONTEXT.divide(Decimal(sum(answered) * 100), Decimal(5 * len(answered)))
    return OdiScore(
        percent=percent,
        band=OdiBand.of(percent),
        answered=len(answered),
        missing_sections=missing,
        unscored_reason=None,
    )
