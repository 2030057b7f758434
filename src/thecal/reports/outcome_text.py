"""Outcome results as sentences in the clinic's style.

"Over 84 % of our epidural patients report improvement (174 of 207 at 3 months; 95 % CI
78.5–88.4 %; 12 lost to follow-up, 79.5 % if counted as non-responders)"

Honesty rules:

* the headline percent is never an overstatement: "Over X %" only when the proportion is strictly
  above X, and "X %" when it is exactly X (:func:`~thecal.reports.stats.headline_percent`);
* the counts behind it are always given (responders of completers, and the time point);
* whoever was lost to follow-up is said, with the proportion if they are all counted as
  non-responders;
* other percentages are rounded half up to one decimal; they never feed the headline.
"""

from __future__ import annotations

from thecal.domain.units import plain
from thecal.reports.stats import Proportion, percent_text

__all__ = ["outcome_sentence"]


def outcome_sentence(
    *,
    claim: str,
    group: str,
    time_point: str,
    eligible: int,
    completers_only: Proportion | None,
    lost_as_non_responders: Proportion | None,
) -> str:
    """One measure's result as a sentence.

    Args:
        claim: what responders did ("report improvement").
        group: whom it is about ("our epidural patients").
        time_point: the time point's name ("3 months").
        eligible: episodes eligible for the measure.
        completers_only: responders / completers, or ``None`` with no completers.
        lost_as_non_responders: responders / eligible, or ``None`` with none eligible.

    Returns:
        The sentence, without a final full stop (pages and PDF add their own punctuation).
    """
    if completers_only is None:
        if eligible == 0:
            return f"No {time_point} result for {group} yet: no eligible patient has reached it"
        return f"No {time_point} result for {group}: all {eligible} eligible lost to follow-up"
    confidence = plain(completers_only.confidence * 100)
    details = (
        f"{completers_only.successes} of {completers_only.n} at {time_point}; "
        f"{confidence} % CI {percent_text(completers_only.low)}–"
        f"{percent_text(completers_only.high)} %"
    )
    lost = eligible - completers_only.n
    if lost > 0 and lost_as_non_responders is not None:
        details += (
            f"; {lost} lost to follow-up, "
            f"{percent_text(lost_as_non_responders.fraction)} % if counted as non-responders"
        )
    return f"{completers_only.headline} of {group} {claim} ({details})"
