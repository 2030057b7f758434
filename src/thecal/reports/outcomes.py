"""Outcome report: how many patients got better, at a named follow-up time point.

Input is one typed row per patient-procedure episode (:class:`Episode`) with its baseline and its
follow-ups; output is, per measure, the responders, the completers, the eligible episodes and
those lost to follow-up, the proportion two ways (completers only, and lost counted as
non-responders) with Wilson intervals, and a sentence in the clinic's style.

Counting rules (one place, so pages, PDF and FHIR agree):

* **Due.** An episode is due at a time point once the whole window has passed:
  ``report_date − procedure_date > target_day + window_days``. Episodes still inside or before
  their window are *not yet due*: they are counted apart and never called lost.
* **Eligible** for a measure: due, and with the baseline the measure needs (pain measures need a
  baseline pain above 0 — a percent of 0 is undefined; ODI and EQ VAS measures need their
  baseline; PGIC needs none). Due episodes without it are counted as ``no_baseline``.
* **Completer**: eligible, with a follow-up inside the window carrying the measure's data. When
  several qualify, the one closest to the target day is used (the earlier on a tie).
  Follow-ups outside the window are ignored.
* **Lost to follow-up** = eligible − completers.
* **Responder** (thresholds from :class:`OutcomePolicy`): pain reduced by at least the
  threshold in percent of baseline (30 % less pain, 50 % substantial) [S110]; PGIC at or better
  than the threshold category [S114]; ODI lower by at least 10 points [S118, S119]; EQ VAS
  higher by at least 10 points (clinic policy; no source in the reference) [S120].

:func:`analyse` makes one pass over the episodes and one over each episode's follow-ups: linear in
the number of assessments, no sorting, no per-measure rescans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments.pgic import Pgic
from thecal.domain.units import plain
from thecal.reports.outcome_policy import (
    DEFAULT_TIME_POINTS,
    POLICY_SOURCES,
    OutcomePolicy,
    TimePoint,
)
from thecal.reports.outcome_text import outcome_sentence
from thecal.reports.stats import Proportion

__all__ = [
    "DEFAULT_TIME_POINTS",
    "POLICY_SOURCES",
    "Episode",
    "FollowUp",
    "Measure",
    "MeasureResult",
    "OutcomePolicy",
    "OutcomeReport",
    "ProcedureType",
    "TimePoint",
    "analyse",
]

_TEN = Decimal(10)
_HUNDRED = Decimal(100)


class ProcedureType(Enum):
    """Procedures an outcome report can be filtered by; ``noun`` reads "our epidural patients"."""

    FACET_JOINT_INJECTION = "facet_joint_injection"
    EPIDURAL_STEROID_INJECTION = "epidural_steroid_injection"
    INTRATHECAL_TRIAL = "intrathecal_trial"
    INTRATHECAL_PUMP = "intrathecal_pump"

    @property
    def noun(self) -> str:
        """How the clinic names the patients of this procedure ("epidural")."""
        return _NOUNS[self]


_NOUNS: Mapping[ProcedureType, str] = {
    ProcedureType.FACET_JOINT_INJECTION: "facet joint injection",
    ProcedureType.EPIDURAL_STEROID_INJECTION: "epidural",
    ProcedureType.INTRATHECAL_TRIAL: "intrathecal trial",
    ProcedureType.INTRATHECAL_PUMP: "pump",
}


class Measure(Enum):
    """The outcome measures a report gives, in report order."""

    PGIC_IMPROVED = "pgic_improved"
    PAIN_SUBSTANTIAL = "pain_substantial"
    PAIN_LESS = "pain_less"
    FUNCTION_IMPROVED = "function_improved"
    QUALITY_OF_LIFE_BETTER = "quality_of_life_better"


# ----------------------------------------------------------------------------- input rows


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp:
    """What was measured at one follow-up; any field may be missing (``None``).

    Attributes:
        days_after: whole days after the procedure date, 0 or more.
        pain_nrs: pain 0–10 (NRS, or the BPI "average" item — the same scale as the baseline).
        odi_percent: ODI 0–100.
        pgic: the PGIC category.
        eq_vas: EQ VAS 0–100.

    Raises:
        ValueOutOfRange: a value outside its range.
    """

    days_after: int
    pain_nrs: Decimal | None = None
    odi_percent: Decimal | None = None
    pgic: Pgic | None = None
    eq_vas: int | None = None

    def __post_init__(self) -> None:
        if self.days_after < 0:
            raise ValueOutOfRange(name="days_after", expected="0 or more", value=self.days_after)
        _check_scales(self.pain_nrs, self.odi_percent, self.eq_vas)


def _check_scales(pain: Decimal | None, odi: Decimal | None, vas: int | None) -> None:
    if pain is not None and not 0 <= pain <= _TEN:
        raise ValueOutOfRange(name="pain_nrs", expected="0–10", value=pain)
    if odi is not None and not 0 <= odi <= _HUNDRED:
        raise ValueOutOfRange(name="odi_percent", expected="0–100", value=odi)
    if vas is not None and not 0 <= vas <= 100:
        raise ValueOutOfRange(name="eq_vas", expected="0–100", value=vas)


@dataclass(frozen=True, slots=True, kw_only=True)
class Episode:
    """One patient-procedure episode with its baseline and follow-ups.

    Attributes:
        patient_id: the patient's identifier (opaque here).
        procedure: the procedure type.
        indication: the indication code, compared exactly.
        procedure_date: the day of the procedure.
        baseline_pain_nrs: pain 0–10 before the procedure (NRS or BPI average).
        baseline_odi_percent: ODI 0–100 before the procedure.
        baseline_eq_vas: EQ VAS 0–100 before the procedure.
        follow_ups: the follow-ups, in any order.

    Raises:
        ValueOutOfRange: a baseline outside its range.
    """

    patient_id: str
    procedure: ProcedureType
    indication: str
    procedure_date: dt.date
    baseline_pain_nrs: Decimal | None = None
    baseline_odi_percent: Decimal | None = None
    baseline_eq_vas: int | None = None
    follow_ups: tuple[FollowUp, ...] = ()

    def __post_init__(self) -> None:
        _check_scales(self.baseline_pain_nrs, self.baseline_odi_percent, self.baseline_eq_vas)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureResult:
    """One measure of an outcome report.

    Attributes:
        measure: which measure.
        eligible: due episodes with the baseline the measure needs.
        completers: eligible episodes with a follow-up in the window carrying the data.
        responders: completers who met the policy threshold.
        no_baseline: due episodes left out for want of a usable baseline.
        completers_only: responders / completers with its interval; ``None`` with no completers.
        lost_as_non_responders: responders / eligible with its interval; ``None`` if none eligible.
        sentence: the result in the clinic's words.
    """

    measure: Measure
    eligible: int
    completers: int
    responders: int
    no_baseline: int
    completers_only: Proportion | None
    lost_as_non_responders: Proportion | None
    sentence: str

    @property
    def lost_to_follow_up(self) -> int:
        """Eligible episodes without a usable follow-up in the window."""
        return self.eligible - self.completers


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeReport:
    """An outcome report at one time point.

    Attributes:
        report_date: the day the report is as of (passed in, never read from a clock).
        time_point: the time point reported.
        procedure: the procedure filter, or ``None`` for all.
        indication: the indication filter, or ``None`` for all.
        episodes: episodes matching the filters.
        not_yet_due: matching episodes whose window has not yet passed (left out).
        measures: one result per :class:`Measure`, in that order.
    """

    report_date: dt.date
    time_point: TimePoint
    procedure: ProcedureType | None
    indication: str | None
    episodes: int
    not_yet_due: int
    measures: tuple[MeasureResult, ...]

    @property
    def due(self) -> int:
        """Matching episodes whose window has passed."""
        return self.episodes - self.not_yet_due

    def result(self, measure: Measure) -> MeasureResult:
        """The result of ``measure``."""
        return next(result for result in self.measures if result.measure is measure)


# ----------------------------------------------------------------------------- analysis


class _Tally:
    """Running counts of one measure."""

    __slots__ = ("completers", "eligible", "no_baseline", "responders")

    def __init__(self) -> None:
        self.eligible = 0
        self.completers = 0
        self.responders = 0
        self.no_baseline = 0


def analyse(
    rows: Iterable[Episode],
    policy: OutcomePolicy,
    *,
    report_date: dt.date,
    time_point: TimePoint,
    procedure: ProcedureType | None = None,
    indication: str | None = None,
) -> OutcomeReport:
    """Count responders per measure at ``time_point``, as of ``report_date``.

    Args:
        rows: the episodes, in any order (read once).
        policy: responder thresholds and confidence level.
        report_date: the day the report is as of; decides which episodes are due.
        time_point: the time point (usually ``policy.time_point("3 months")``).
        procedure: only episodes of this procedure type; ``None`` for all.
        indication: only episodes with this indication code; ``None`` for all.

    Returns:
        The report; see the module docstring for every counting rule.

    Raises:
        ValueOutOfRange: ``report_date`` is a datetime (a day is meant; time zones would blur it).
    """
    if isinstance(report_date, dt.datetime):
        raise ValueOutOfRange(name="report_date", expected="a date", value=report_date)
    first, last, target = time_point.first_day, time_point.last_day, time_point.target_day
    pgic_worst = policy.pgic_threshold.value
    less, substantial = policy.less_pain_percent, policy.substantial_pain_percent
    odi_points, vas_points = policy.odi_points, policy.eq_vas_points
    tallies = {measure: _Tally() for measure in Measure}
    pgic_t = tallies[Measure.PGIC_IMPROVED]
    less_t, substantial_t = tallies[Measure.PAIN_LESS], tallies[Measure.PAIN_SUBSTANTIAL]
    odi_t, qol_t = tallies[Measure.FUNCTION_IMPROVED], tallies[Measure.QUALITY_OF_LIFE_BETTER]
    episodes = not_yet_due = 0
    for episode in rows:
        if procedure is not None and episode.procedure is not procedure:
            continue
        if indication is not None and episode.indication != indication:
            continue
        episodes += 1
        if (report_date - episode.procedure_date).days <= last:
            not_yet_due += 1
            continue
        pain, odi, pgic, vas = _closest(episode.follow_ups, first, last, target)

        pgic_t.eligible += 1
        if pgic is not None:
            pgic_t.completers += 1
            pgic_t.responders += pgic.value <= pgic_worst

        base_pain = episode.baseline_pain_nrs
        if base_pain is None or base_pain == 0:
            less_t.no_baseline += 1
            substantial_t.no_baseline += 1
        else:
            less_t.eligible += 1
            substantial_t.eligible += 1
            if pain is not None:
                less_t.completers += 1
                substantial_t.completers += 1
                drop = (base_pain - pain) * _HUNDRED
                less_t.responders += drop >= less * base_pain
                substantial_t.responders += drop >= substantial * base_pain

        _tally_points(odi_t, episode.baseline_odi_percent, odi, odi_points, lower_is_better=True)
        _tally_points(qol_t, episode.baseline_eq_vas, vas, vas_points, lower_is_better=False)

    return OutcomeReport(
        report_date=report_date,
        time_point=time_point,
        procedure=procedure,
        indication=indication,
        episodes=episodes,
        not_yet_due=not_yet_due,
        measures=tuple(
            _result(
                measure,
                tallies[measure],
                policy=policy,
                time_point=time_point,
                procedure=procedure,
                indication=indication,
            )
            for measure in Measure
        ),
    )


def _closest(
    follow_ups: tuple[FollowUp, ...], first: int, last: int, target: int
) -> tuple[Decimal | None, Decimal | None, Pgic | None, int | None]:
    """Per field, the value of the in-window follow-up closest to the target (earlier on a tie)."""
    pain = odi = None
    pgic = None
    vas = None
    # rank = 2 × distance, + 1 after the target: smaller is better, earlier wins a tie
    pain_rank = odi_rank = pgic_rank = vas_rank = 1 << 62
    for follow_up in follow_ups:
        day = follow_up.days_after
        if day < first or day > last:
            continue
        rank = 2 * (target - day) if day <= target else 2 * (day - target) + 1
        if follow_up.pain_nrs is not None and rank < pain_rank:
            pain, pain_rank = follow_up.pain_nrs, rank
        if follow_up.odi_percent is not None and rank < odi_rank:
            odi, odi_rank = follow_up.odi_percent, rank
        if follow_up.pgic is not None and rank < pgic_rank:
            pgic, pgic_rank = follow_up.pgic, rank
        if follow_up.eq_vas is not None and rank < vas_rank:
            vas, vas_rank = follow_up.eq_vas, rank
    return pain, odi, pgic, vas


def _tally_points(
    tally: _Tally,
    baseline: Decimal | int | None,
    follow_up: Decimal | int | None,
    points: Decimal | int,
    *,
    lower_is_better: bool,
) -> None:
    """Count one due episode for a measure of change in points (ODI down, EQ VAS up)."""
    if baseline is None:
        tally.no_baseline += 1
        return
    tally.eligible += 1
    if follow_up is None:
        return
    tally.completers += 1
    change = baseline - follow_up if lower_is_better else follow_up - baseline
    tally.responders += change >= points


def _claim(measure: Measure, policy: OutcomePolicy) -> str:
    """What a responder to ``measure`` did, in the clinic's words."""
    match measure:
        case Measure.PGIC_IMPROVED:
            if policy.pgic_threshold is Pgic.MINIMALLY_IMPROVED:
                return "report improvement"
            return f"report being {policy.pgic_threshold.label} or better"
        case Measure.PAIN_SUBSTANTIAL:
            return f"report at least {plain(policy.substantial_pain_percent)} % less pain"
        case Measure.PAIN_LESS:
            return f"report at least {plain(policy.less_pain_percent)} % less pain"
        case Measure.FUNCTION_IMPROVED:
            return f"improved in function, ODI down by at least {plain(policy.odi_points)} points"
        case Measure.QUALITY_OF_LIFE_BETTER:
            return (
                "report better quality of life, "
                f"EQ VAS up by at least {policy.eq_vas_points} points"
            )


def _group(procedure: ProcedureType | None, indication: str | None) -> str:
    """Whom the report is about: "our epidural patients with indication L-RAD"."""
    group = "our patients" if procedure is None else f"our {procedure.noun} patients"
    return group if indication is None else f"{group} with indication {indication}"


def _result(
    measure: Measure,
    tally: _Tally,
    *,
    policy: OutcomePolicy,
    time_point: TimePoint,
    procedure: ProcedureType | None,
    indication: str | None,
) -> MeasureResult:
    completers_only = (
        Proportion.of(tally.responders, tally.completers, policy.confidence)
        if tally.completers
        else None
    )
    lost_as_non_responders = (
        Proportion.of(tally.responders, tally.eligible, policy.confidence)
        if tally.eligible
        else None
    )
    return MeasureResult(
        measure=measure,
        eligible=tally.eligible,
        completers=tally.completers,
        responders=tally.responders,
        no_baseline=tally.no_baseline,
        completers_only=completers_only,
        lost_as_non_responders=lost_as_non_responders,
        sentence=outcome_sentence(
            claim=_claim(measure, policy),
            group=_group(procedure, indication),
            time_point=time_point.name,
            eligible=tally.eligible,
            completers_only=completers_only,
            lost_as_non_responders=lost_as_non_responders,
        ),
    )
