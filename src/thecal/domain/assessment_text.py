"""An assessment's scores in words, for people: "disability 40 % (moderate)", "pain severity 6.3
of 10 (moderate)", "much improved (2 of 7)". Scores are shown to one decimal at most; the exact
values stay in the record (``Assessment.scores``) and the JSON.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from thecal.domain.assessment import Assessment
from thecal.domain.instruments import Instrument
from thecal.domain.instruments.odi import OdiBand

__all__ = ["assessment_summary", "score_number"]


def score_number(value: Decimal, places: int = 1) -> str:
    """A score at ``places`` decimals, without trailing zeros (``5.571…`` → ``"5.6"``, 40 → 40)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _bpi(scores: dict[str, str | None]) -> list[str]:
    parts = []
    severity = _number(scores.get("severity"))
    if severity is not None:
        parts.append(f"pain severity {score_number(severity)} of 10")
    worst = _number(scores.get("worst_pain"))
    if worst is not None:  # the bands belong to worst pain, the item they were derived for
        band = scores.get("worst_pain_band")
        parts.append(f"worst pain {score_number(worst)} of 10" + (f" ({band})" if band else ""))
    interference = _number(scores.get("interference"))
    if interference is not None:
        answered = scores.get("interference_answered")
        parts.append(
            f"interference {score_number(interference)} of 10"
            + (f" ({answered} of 7 answered)" if answered and answered != "7" else "")
        )
    average = _number(scores.get("average_pain"))
    if average is not None:
        parts.append(f"pain on average {score_number(average)} of 10")
    return parts


def _eq5d(scores: dict[str, str | None]) -> list[str]:
    parts = []
    vas = _number(scores.get("vas"))
    if vas is not None:
        parts.append(f"health today {score_number(vas, 0)} of 100")
    if scores.get("profile"):
        parts.append(f"profile {scores['profile']}")
    index = _number(scores.get("index"))
    if index is not None:
        parts.append(f"index {score_number(index, 3)}")
    return parts


def assessment_summary(assessment: Assessment) -> str:
    """The scores of one assessment as a short phrase (an unscored part says why)."""
    scores = dict(assessment.scores)
    figures = assessment.figures
    match assessment.instrument:
        case Instrument.NRS:
            pain = _number(scores.get("pain"))
            parts = [] if pain is None else [f"pain {score_number(pain)} of 10"]
        case Instrument.ODI:
            percent = figures.odi_percent
            parts = []
            if percent is not None:
                band = OdiBand.of(percent).label
                parts.append(f"disability {score_number(percent, 0)} % ({band})")
            if scores.get("missing_sections"):
                parts.append(f"sections left blank: {scores['missing_sections']}")
        case Instrument.BPI_SF:
            parts = _bpi(scores)
        case Instrument.EQ5D5L:
            parts = _eq5d(scores)
        case Instrument.PGIC:
            pgic = figures.pgic
            parts = [] if pgic is None else [f"{pgic.label} ({pgic.value} of 7)"]
    reasons = [value for key, value in scores.items() if key.endswith("unscored_reason") and value]
    return "; ".join(parts + [f"not scored: {reason}" for reason in reasons]) or "no score"
