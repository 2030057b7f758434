"""Where outcome reports get their episodes, and the full report a page or a PDF shows.

:class:`EpisodeSource` is the port: an adapter (the SQL read model in
``adapters/read_models/outcomes.py``, or a list in tests) yields :class:`~thecal.reports.outcomes.Episode`
rows for an :class:`EpisodeQuery`. :func:`outcome_summary` turns them into everything the outcomes
page, the PDF and the CLI show at one time point:

* the :class:`~thecal.reports.outcomes.OutcomeReport` of :func:`~thecal.reports.outcomes.analyse`
  (responders, completers, eligible, lost, not yet due, both proportions, Wilson intervals,
  sentences);
* the PGIC distribution of the completers at that time point (the follow-up closest to the target
  day, as ``analyse`` picks it);
* pain and function trajectories: per time point, the completers' mean baseline and mean follow-up
  pain (0–10) and ODI (0–100), exact decimals.

Baselines come from the source (see the read model: the latest value on or before the procedure
day). Nothing here reads a clock: the report date is part of the query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Protocol

from thecal.domain.instruments.pgic import Pgic
from thecal.reports.outcome_policy import OutcomePolicy, TimePoint
from thecal.reports.outcomes import Episode, FollowUp, OutcomeReport, ProcedureType, analyse

__all__ = [
    "EpisodeQuery",
    "EpisodeSource",
    "OutcomeSummary",
    "TrajectoryPoint",
    "outcome_summary",
    "window_of",
]

_MEAN = Context(prec=28, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeQuery:
    """Which episodes to read, and which follow-ups they need.

    Attributes:
        procedure: only this procedure type; ``None`` for the four report types together.
        indication: only this indication code (exact); ``None`` for all.
        first_day: the first follow-up day wanted (``None``: from day 1).
        last_day: the last follow-up day wanted (``None``: every later day).
        time_points: when given, the source may return, instead of every follow-up in the days
            wanted, only the follow-ups these time points pick: per time point and measure, the
            one in the window (cut to ``first_day``–``last_day``) closest to the target day, the
            earlier on a tie, the smallest assessment id on the same day — exactly what
            :func:`~thecal.reports.outcomes.analyse` would pick from all of them.
    """

    procedure: ProcedureType | None = None
    indication: str | None = None
    first_day: int | None = None
    last_day: int | None = None
    time_points: tuple[TimePoint, ...] = ()


class EpisodeSource(Protocol):
    """The port outcome reports read through."""

    def episodes(self, query: EpisodeQuery) -> Iterable[Episode]:
        """Every matching episode once, with its baselines and the wanted follow-ups."""
        ...


def window_of(time_points: Sequence[TimePoint]) -> tuple[int, int]:
    """The follow-up days that cover every one of ``time_points`` (first, last)."""
    return min(p.first_day for p in time_points), max(p.last_day for p in time_points)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrajectoryPoint:
    """Mean pain and function of the completers at one time point (``None`` with nobody).

    Attributes:
        time_point: the time point.
        pain_n: episodes with a baseline pain and an in-window pain follow-up.
        pain_baseline_mean: their mean baseline pain, 0–10.
        pain_mean: their mean follow-up pain, 0–10.
        odi_n: episodes with a baseline ODI and an in-window ODI follow-up.
        odi_baseline_mean: their mean baseline ODI, 0–100.
        odi_mean: their mean follow-up ODI, 0–100.
    """

    time_point: TimePoint
    pain_n: int
    pain_baseline_mean: Decimal | None
    pain_mean: Decimal | None
    odi_n: int
    odi_baseline_mean: Decimal | None
    odi_mean: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeSummary:
    """An outcome report with the data of its charts.

    Attributes:
        report: the counts, proportions and sentences at the chosen time point.
        policy: the thresholds the report applied (shown with their sources).
        pgic_distribution: PGIC category → completers who chose it, all seven in form order.
        trajectory: one point per policy time point, in policy order.
    """

    report: OutcomeReport
    policy: OutcomePolicy
    pgic_distribution: tuple[tuple[Pgic, int], ...]
    trajectory: tuple[TrajectoryPoint, ...]


def _closest(follow_ups: Iterable[FollowUp], point: TimePoint, field: str) -> FollowUp | None:
    """The in-window follow-up carrying ``field`` closest to the target (the earlier on a tie)."""
    best: FollowUp | None = None
    best_rank = 1 << 62
    for follow_up in follow_ups:
        day = follow_up.days_after
        if day < point.first_day or day > point.last_day or getattr(follow_up, field) is None:
            continue
        target = point.target_day
        rank = 2 * (target - day) if day <= target else 2 * (day - target) + 1
        if rank < best_rank:
            best, best_rank = follow_up, rank
    return best


def _mean(values: list[Decimal]) -> Decimal | None:
    return _MEAN.divide(sum(values, Decimal(0)), Decimal(len(values))) if values else None


def _trajectory_point(
    episodes: Sequence[Episode], point: TimePoint, due: dt.date
) -> TrajectoryPoint:
    pain_base: list[Decimal] = []
    pain: list[Decimal] = []
    odi_base: list[Decimal] = []
    odi: list[Decimal] = []
    for episode in episodes:
        if (due - episode.procedure_date).days <= point.last_day:
            continue  # not yet due at this time point
        if episode.baseline_pain_nrs is not None:
            found = _closest(episode.follow_ups, point, "pain_nrs")
            if found is not None and found.pain_nrs is not None:
                pain_base.append(episode.baseline_pain_nrs)
                pain.append(found.pain_nrs)
        if episode.baseline_odi_percent is not None:
            found = _closest(episode.follow_ups, point, "odi_percent")
            if found is not None and found.odi_percent is not None:
                odi_base.append(episode.baseline_odi_percent)
                odi.append(found.odi_percent)
    return TrajectoryPoint(
        time_point=point,
        pain_n=len(pain),
        pain_baseline_mean=_mean(pain_base),
        pain_mean=_mean(pain),
        odi_n=len(odi),
        odi_baseline_mean=_mean(odi_base),
        odi_mean=_mean(odi),
    )


def outcome_summary(
    source: EpisodeSource,
    policy: OutcomePolicy,
    *,
    report_date: dt.date,
    time_point: TimePoint,
    procedure: ProcedureType | None = None,
    indication: str | None = None,
) -> OutcomeSummary:
    """The report at ``time_point`` with its PGIC distribution and trajectories.

    Reads the source once, for the follow-up days of every policy time point (so the trajectory
    covers them all), naming those time points so the source may send only their picks; use :func:`~thecal.reports.outcomes.analyse` directly with a narrower
    :class:`EpisodeQuery` when only the figures are needed (the benchmark does).
    """
    points = (*policy.time_points, time_point)
    first, last = window_of(points)
    query = EpisodeQuery(
        procedure=procedure,
        indication=indication,
        first_day=first,
        last_day=last,
        time_points=tuple(dict.fromkeys(points)),  # each time point once, in order
    )
    episodes = [
        e
        for e in source.episodes(query)
        if (procedure is None or e.procedure is procedure)
        and (indication is None or e.indication == indication)
    ]
    report = analyse(
        episodes,
        policy,
        report_date=report_date,
        time_point=time_point,
        procedure=procedure,
        indication=indication,
    )
    counts = dict.fromkeys(Pgic, 0)
    for episode in episodes:
        if (report_date - episode.procedure_date).days <= time_point.last_day:
            continue
        found = _closest(episode.follow_ups, time_point, "pgic")
        if found is not None and found.pgic is not None:
            counts[found.pgic] += 1
    return OutcomeSummary(
        report=report,
        policy=policy,
        pgic_distribution=tuple(counts.items()),
        trajectory=tuple(
            _trajectory_point(episodes, point, report_date) for point in policy.time_points
        ),
    )
