"""The evaluation of a trial: its observations measured against the drug's success criterion.

* Pain reduction is read at the best (lowest) NRS after the dose unless a read-out time is chosen
  (clinical.md §3.2: hourly scores to 6–8 h, final read-out at the expected peak); where the
  criterion asks for sustained relief (opioids: ~8 h, S40), the reduction must also hold at or
  above the threshold across consecutive scored observations spanning that long, so a single best
  score does not make a success; a functional score, where recorded at baseline and read-out, must
  show a gain (S40).
* Spasticity (baclofen) is the best Ashworth or spasm-frequency improvement, and how long it stayed
  at or above the threshold across consecutive observations (S40).
* Intolerable side effects fail any trial; a criterion needing several occasions (ziconotide, S21)
  counts the earlier successful ones.

Evaluating changes no state: :meth:`Trial.evaluate <thecal.domain.trial.Trial.evaluate>` calls
:func:`evaluate_trial` with the trial itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from thecal.domain.trial.criterion import CriterionKind, SuccessCriterion
from thecal.domain.trial.errors import TrialNotEvaluable
from thecal.domain.trial.observation import TrialBaseline, TrialObservation
from thecal.domain.units import Duration

__all__ = ["TrialEvaluation", "TrialEvidence", "evaluate_trial"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialEvaluation:
    """The trial's result against its criterion; ``reasons`` says why it failed, if it did."""

    criterion: SuccessCriterion
    readout_at: dt.datetime | None
    pain_reduction_pct: Decimal | None
    function_change: int | None
    spasticity_improvement: int | None
    sustained_for: Duration | None
    intolerable_side_effects: tuple[str, ...]
    met_this_occasion: bool
    successful_occasions: int
    success: bool
    reasons: tuple[str, ...]


class TrialEvidence(Protocol):
    """What the evaluation reads of a trial (satisfied by :class:`~thecal.domain.trial.Trial`)."""

    @property
    def trial_id(self) -> str: ...
    @property
    def criterion(self) -> SuccessCriterion: ...
    @property
    def baseline(self) -> TrialBaseline: ...
    @property
    def observations(self) -> Sequence[TrialObservation]: ...


def evaluate_trial(
    trial: TrialEvidence,
    *,
    readout_at: dt.datetime | None = None,
    prior_successful_occasions: int = 0,
) -> TrialEvaluation:
    """Evaluate the trial's observations so far against its criterion.

    Args:
        trial: the baseline, observations and criterion to evaluate.
        readout_at: the observation to read pain at; None reads the best (lowest) NRS.
        prior_successful_occasions: earlier successful trial occasions (ziconotide needs two, S21).

    Raises:
        TrialNotEvaluable: no baseline/observation data for the criterion, or no observation at
            ``readout_at``.
    """
    intolerable = tuple(
        effect for o in trial.observations if o.intolerable for effect in o.side_effects
    )
    if trial.criterion.kind is CriterionKind.SPASTICITY_POINTS:
        return _evaluate_spasticity(trial, intolerable, prior_successful_occasions)
    return _evaluate_pain(trial, readout_at, intolerable, prior_successful_occasions)


def _evaluate_pain(
    trial: TrialEvidence,
    readout_at: dt.datetime | None,
    intolerable: tuple[str, ...],
    prior: int,
) -> TrialEvaluation:
    baseline = trial.baseline.pain_nrs
    scored = [o for o in trial.observations if o.pain_nrs is not None]
    if not baseline:
        raise TrialNotEvaluable(
            ident=trial.trial_id, detail="baseline NRS pain must be recorded and above 0"
        )
    if readout_at is None:
        if not scored:
            raise TrialNotEvaluable(ident=trial.trial_id, detail="no pain score after the dose")
        readout = min(scored, key=lambda o: (o.pain_nrs, o.at))
    else:
        found = [o for o in scored if o.at == readout_at]
        if not found:
            raise TrialNotEvaluable(
                ident=trial.trial_id, detail=f"no pain score at {readout_at.isoformat()}"
            )
        readout = found[0]
    pain = readout.pain_nrs or 0
    reduction = Decimal(baseline - pain) / Decimal(baseline) * _HUNDRED
    sustained = _sustained(
        sorted(scored, key=lambda o: o.at),
        lambda o: (
            Decimal(baseline - (o.pain_nrs or 0)) / Decimal(baseline) * _HUNDRED
            >= trial.criterion.threshold
        ),
    )
    function_change = None
    if trial.baseline.function_score is not None and readout.function_score is not None:
        function_change = readout.function_score - trial.baseline.function_score
    reasons: list[str] = []
    met = reduction >= trial.criterion.threshold
    if not met:
        reasons.append(f"pain reduction {reduction:.1f} % < {trial.criterion.threshold} %")
    needed = trial.criterion.sustained
    if met and needed is not None and sustained < needed:
        met = False
        reasons.append(
            f"relief of {trial.criterion.threshold} % or more held for {sustained} across "
            f"consecutive observations; the criterion needs {needed} ({trial.criterion.source})"
        )
    if function_change is not None and function_change <= 0:
        reasons.append(f"no functional gain ({function_change:+d})")
    functional = function_change is None or function_change > 0
    return _result(
        trial.criterion,
        readout_at=readout.at,
        reduction=reduction,
        function_change=function_change,
        spasticity=None,
        sustained=sustained if trial.criterion.sustained is not None else None,
        intolerable=intolerable,
        met=met and functional,
        prior=prior,
        reasons=reasons,
    )


def _evaluate_spasticity(
    trial: TrialEvidence, intolerable: tuple[str, ...], prior: int
) -> TrialEvaluation:
    def improvement(o: TrialObservation) -> int | None:
        gains = [
            base - now
            for base, now in (
                (trial.baseline.ashworth, o.ashworth),
                (trial.baseline.spasm_frequency, o.spasm_frequency),
            )
            if base is not None and now is not None
        ]
        return max(gains) if gains else None

    scored = [(o, improvement(o)) for o in sorted(trial.observations, key=lambda o: o.at)]
    scored = [(o, gain) for o, gain in scored if gain is not None]
    if not scored:
        raise TrialNotEvaluable(
            ident=trial.trial_id,
            detail="no Ashworth or spasm-frequency score at baseline and after the dose",
        )
    best = max(gain for _, gain in scored if gain is not None)
    gains = {id(o): gain for o, gain in scored}
    sustained = _sustained(
        [o for o, _ in scored],
        lambda o: (gains[id(o)] or 0) >= trial.criterion.threshold,
    )
    needed = trial.criterion.sustained or Duration.seconds(0)
    met = best >= trial.criterion.threshold and sustained >= needed
    reasons = (
        []
        if met
        else [
            f"best improvement {best} point(s), sustained {sustained} (needs {trial.criterion.describe()})"
        ]
    )
    return _result(
        trial.criterion,
        readout_at=None,
        reduction=None,
        function_change=None,
        spasticity=best,
        sustained=sustained,
        intolerable=intolerable,
        met=met,
        prior=prior,
        reasons=reasons,
    )


def _sustained(
    observations: Sequence[TrialObservation], meets: Callable[[TrialObservation], bool]
) -> Duration:
    """The longest span of consecutive observations (in time order) that all meet the threshold:
    from the first to the last of the run."""
    longest, run_start = dt.timedelta(0), None
    for o in observations:
        if meets(o):
            run_start = run_start or o.at
            longest = max(longest, o.at - run_start)
        else:
            run_start = None
    return Duration.from_timedelta(longest)


def _result(
    criterion: SuccessCriterion,
    *,
    readout_at: dt.datetime | None,
    reduction: Decimal | None,
    function_change: int | None,
    spasticity: int | None,
    sustained: Duration | None,
    intolerable: tuple[str, ...],
    met: bool,
    prior: int,
    reasons: list[str],
) -> TrialEvaluation:
    if intolerable:
        reasons.append(f"intolerable side effects: {', '.join(intolerable)}")
    met_now = met and not intolerable
    occasions = prior + (1 if met_now else 0)
    if met_now and occasions < criterion.occasions:
        reasons.append(
            f"{occasions} of {criterion.occasions} successful occasions ({criterion.source})"
        )
    return TrialEvaluation(
        criterion=criterion,
        readout_at=readout_at,
        pain_reduction_pct=reduction,
        function_change=function_change,
        spasticity_improvement=spasticity,
        sustained_for=sustained,
        intolerable_side_effects=intolerable,
        met_this_occasion=met_now,
        successful_occasions=occasions,
        success=met_now and occasions >= criterion.occasions,
        reasons=tuple(reasons),
    )
