"""An outcome summary as plain rows: the one flattening the PDF, CSV and JSON outputs share.

Every count of every measure (responders, completers, eligible, lost to follow-up, without a
baseline, not yet due), both proportions with their Wilson intervals, the policy threshold with its
source, the time point and the report date. Percentages are text rounded half up to one decimal
(:func:`~thecal.reports.stats.percent_text`); the exact fractions are kept as decimal text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from thecal.domain.units import plain
from thecal.reports.outcome_policy import POLICY_SOURCES, OutcomePolicy
from thecal.reports.outcome_source import OutcomeSummary
from thecal.reports.outcomes import Measure, MeasureResult
from thecal.reports.stats import Proportion, percent_text

_TENTH = Decimal("0.1")

__all__ = ["CSV_COLUMNS", "measure_rows", "policy_rows", "summary_document", "threshold"]

CSV_COLUMNS = (
    "report_date",
    "time_point",
    "target_day",
    "window_days",
    "procedure",
    "indication",
    "measure",
    "threshold",
    "threshold_source",
    "episodes",
    "not_yet_due",
    "eligible",
    "completers",
    "responders",
    "lost_to_follow_up",
    "no_baseline",
    "completers_only_percent",
    "completers_only_ci_low_percent",
    "completers_only_ci_high_percent",
    "lost_as_non_responders_percent",
    "lost_as_non_responders_ci_low_percent",
    "lost_as_non_responders_ci_high_percent",
    "confidence",
    "sentence",
)


def threshold(measure: Measure, policy: OutcomePolicy) -> tuple[str, str]:
    """The responder threshold of ``measure`` in words, and its source key."""
    match measure:
        case Measure.PGIC_IMPROVED:
            return f"PGIC {policy.pgic_threshold.label} or better", POLICY_SOURCES["pgic_threshold"]
        case Measure.PAIN_SUBSTANTIAL:
            return (
                f"pain down ≥ {plain(policy.substantial_pain_percent)} % of baseline",
                POLICY_SOURCES["substantial_pain_percent"],
            )
        case Measure.PAIN_LESS:
            return (
                f"pain down ≥ {plain(policy.less_pain_percent)} % of baseline",
                POLICY_SOURCES["less_pain_percent"],
            )
        case Measure.FUNCTION_IMPROVED:
            return f"ODI down ≥ {plain(policy.odi_points)} points", POLICY_SOURCES["odi_points"]
        case Measure.QUALITY_OF_LIFE_BETTER:
            return f"EQ VAS up ≥ {policy.eq_vas_points} points", POLICY_SOURCES["eq_vas_points"]


def _proportion(proportion: Proportion | None) -> dict[str, Any] | None:
    if proportion is None:
        return None
    return {
        "successes": proportion.successes,
        "n": proportion.n,
        "fraction": plain(proportion.fraction),
        "percent": percent_text(proportion.fraction),
        "ci_low_percent": percent_text(proportion.low),
        "ci_high_percent": percent_text(proportion.high),
        "headline": proportion.headline,
    }


def _measure(result: MeasureResult, policy: OutcomePolicy) -> dict[str, Any]:
    words, source = threshold(result.measure, policy)
    return {
        "measure": result.measure.value,
        "threshold": words,
        "threshold_source": source,
        "eligible": result.eligible,
        "completers": result.completers,
        "responders": result.responders,
        "lost_to_follow_up": result.lost_to_follow_up,
        "no_baseline": result.no_baseline,
        "completers_only": _proportion(result.completers_only),
        "lost_as_non_responders": _proportion(result.lost_as_non_responders),
        "sentence": result.sentence,
    }


def policy_rows(policy: OutcomePolicy) -> list[dict[str, str]]:
    """Each policy setting with its value and source key."""
    values = {
        "less_pain_percent": plain(policy.less_pain_percent),
        "substantial_pain_percent": plain(policy.substantial_pain_percent),
        "pgic_threshold": policy.pgic_threshold.label,
        "odi_points": plain(policy.odi_points),
        "eq_vas_points": str(policy.eq_vas_points),
        "time_points": "; ".join(
            f"{p.name}: day {p.target_day} ± {p.window_days}" for p in policy.time_points
        ),
        "confidence": plain(policy.confidence),
    }
    return [
        {"setting": name, "value": value, "source": POLICY_SOURCES[name]}
        for name, value in values.items()
    ]


def _mean(value: Decimal | None) -> str | None:
    """A mean to one decimal, rounded half up (a chart label, not a headline)."""
    return None if value is None else str(value.quantize(_TENTH, rounding=ROUND_HALF_UP))


def summary_document(summary: OutcomeSummary) -> dict[str, Any]:
    """The whole summary as a JSON-ready dict (numbers that are not counts are decimal text)."""
    report, policy = summary.report, summary.policy
    point = report.time_point
    return {
        "report_date": report.report_date.isoformat(),
        "time_point": {
            "name": point.name,
            "target_day": point.target_day,
            "window_days": point.window_days,
            "first_day": point.first_day,
            "last_day": point.last_day,
        },
        "procedure": None if report.procedure is None else report.procedure.value,
        "indication": report.indication,
        "episodes": report.episodes,
        "not_yet_due": report.not_yet_due,
        "due": report.due,
        "confidence": plain(policy.confidence),
        "measures": [_measure(result, policy) for result in report.measures],
        "policy": policy_rows(policy),
        "pgic_distribution": [
            {"category": category.value, "label": category.label, "completers": count}
            for category, count in summary.pgic_distribution
        ],
        "trajectory": [
            {
                "time_point": p.time_point.name,
                "pain_n": p.pain_n,
                "pain_baseline_mean": _mean(p.pain_baseline_mean),
                "pain_mean": _mean(p.pain_mean),
                "odi_n": p.odi_n,
                "odi_baseline_mean": _mean(p.odi_baseline_mean),
                "odi_mean": _mean(p.odi_mean),
            }
            for p in summary.trajectory
        ],
    }


def measure_rows(summary: OutcomeSummary) -> list[dict[str, Any]]:
    """One flat row per measure, keyed by :data:`CSV_COLUMNS`."""
    document = summary_document(summary)
    rows = []
    for measure in document["measures"]:
        done = measure["completers_only"] or {}
        all_ = measure["lost_as_non_responders"] or {}
        rows.append(
            {
                "report_date": document["report_date"],
                "time_point": document["time_point"]["name"],
                "target_day": document["time_point"]["target_day"],
                "window_days": document["time_point"]["window_days"],
                "procedure": document["procedure"] or "all",
                "indication": document["indication"] or "all",
                "measure": measure["measure"],
                "threshold": measure["threshold"],
                "threshold_source": measure["threshold_source"],
                "episodes": document["episodes"],
                "not_yet_due": document["not_yet_due"],
                "eligible": measure["eligible"],
                "completers": measure["completers"],
                "responders": measure["responders"],
                "lost_to_follow_up": measure["lost_to_follow_up"],
                "no_baseline": measure["no_baseline"],
                "completers_only_percent": done.get("percent", ""),
                "completers_only_ci_low_percent": done.get("ci_low_percent", ""),
                "completers_only_ci_high_percent": done.get("ci_high_percent", ""),
                "lost_as_non_responders_percent": all_.get("percent", ""),
                "lost_as_non_responders_ci_low_percent": all_.get("ci_low_percent", ""),
                "lost_as_non_responders_ci_high_percent": all_.get("ci_high_percent", ""),
                "confidence": document["confidence"],
                "sentence": measure["sentence"],
            }
        )
    return rows
