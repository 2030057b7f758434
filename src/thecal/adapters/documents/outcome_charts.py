"""Outcome charts as PNG bytes (matplotlib's Agg canvas; no pyplot, no global state).

* :func:`responder_chart` — per measure, the completers-only proportion as a bar with its Wilson
  interval, and the lost-as-non-responders proportion beside it, each labelled with its counts;
* :func:`pgic_chart` — how many completers chose each of the seven PGIC answers;
* :func:`trajectory_chart` — mean pain (0–10) and mean ODI (0–100) at baseline and at each time
  point, with n.

Floats appear only here, as plot coordinates; every figure printed on a chart is the exact text
of the report (:func:`~thecal.reports.stats.percent_text`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from thecal.reports.outcome_source import OutcomeSummary
from thecal.reports.outcomes import Measure
from thecal.reports.stats import Proportion, percent_text

__all__ = ["MEASURE_LABELS", "pgic_chart", "responder_chart", "trajectory_chart"]

MEASURE_LABELS = {
    Measure.PGIC_IMPROVED: "PGIC improved",
    Measure.PAIN_SUBSTANTIAL: "pain ≥ 50 % less",
    Measure.PAIN_LESS: "pain ≥ 30 % less",
    Measure.FUNCTION_IMPROVED: "ODI improved",
    Measure.QUALITY_OF_LIFE_BETTER: "EQ VAS better",
}
_BLUE, _GREY = "#1f5f8b", "#b0b7bf"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches the Agg canvas to the figure
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _pct(proportion: Proportion | None) -> float:
    return 0.0 if proportion is None else float(proportion.fraction * 100)


def responder_chart(summary: OutcomeSummary, *, labels: dict[Measure, str] | None = None) -> bytes:
    """Responder bars with 95 % Wilson intervals (completers only) and the lost-as-non-responders bars."""
    names = labels or MEASURE_LABELS
    measures = summary.report.measures
    figure = Figure(figsize=(7.5, 3.6), dpi=150)
    axes = figure.add_subplot()
    positions = range(len(measures))
    width = 0.38
    for index, result in zip(positions, measures, strict=True):
        done, all_ = result.completers_only, result.lost_as_non_responders
        if done is not None:
            low, high = float(done.low * 100), float(done.high * 100)
            value = _pct(done)
            axes.bar(index - width / 2, value, width, color=_BLUE)
            axes.errorbar(
                index - width / 2,
                value,
                yerr=[[value - low], [high - value]],
                color="black",
                capsize=3,
                linewidth=1,
            )
            axes.text(
                index - width / 2,
                high + 2,
                f"{percent_text(done.fraction)} %\n{done.successes}/{done.n}",
                ha="center",
                fontsize=6.5,
            )
        else:
            axes.text(index - width / 2, 2, "no\ndata", ha="center", fontsize=6.5)
        if all_ is not None:
            axes.bar(index + width / 2, _pct(all_), width, color=_GREY)
            axes.text(
                index + width / 2,
                _pct(all_) + 2,
                f"{all_.successes}/{all_.n}",
                ha="center",
                fontsize=6.5,
            )
    axes.set_xticks(list(positions), [names[r.measure] for r in measures], fontsize=7)
    axes.set_xlim(-0.6, len(measures) - 0.4)  # every measure's place, with or without bars
    axes.set_ylim(0, 118)
    axes.set_ylabel("% of patients", fontsize=8)
    axes.tick_params(axis="y", labelsize=7)
    axes.bar(0, 0, color=_BLUE, label="completers (95 % Wilson CI)")
    axes.bar(0, 0, color=_GREY, label="lost to follow-up counted as non-responders")
    axes.legend(fontsize=6.5, loc="upper right", frameon=False, ncols=2)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def pgic_chart(summary: OutcomeSummary) -> bytes:
    """How many completers chose each PGIC answer (1 very much improved … 7 very much worse)."""
    figure = Figure(figsize=(7.5, 2.6), dpi=150)
    axes = figure.add_subplot()
    threshold = summary.policy.pgic_threshold.value
    labels = [category.label.replace(" ", "\n", 1) for category, _ in summary.pgic_distribution]
    counts = [count for _, count in summary.pgic_distribution]
    colours = [
        _BLUE if category.value <= threshold else _GREY for category, _ in summary.pgic_distribution
    ]
    axes.bar(range(len(counts)), counts, color=colours)
    for index, count in enumerate(counts):
        axes.text(index, count, str(count), ha="center", va="bottom", fontsize=7)
    axes.set_xticks(range(len(labels)), labels, fontsize=6.5)
    axes.set_ylabel("patients", fontsize=8)
    axes.set_ylim(0, max([*counts, 1]) * 1.2)
    axes.tick_params(axis="y", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def _series(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def trajectory_chart(summary: OutcomeSummary) -> bytes:
    """Mean pain and mean ODI of the completers: baseline, then each time point (n beneath)."""
    figure = Figure(figsize=(7.5, 2.8), dpi=150)
    pain_axes, odi_axes = figure.subplots(1, 2)
    points = summary.trajectory
    names = [p.time_point.name for p in points]
    for axes, title, scale, attributes in (
        (pain_axes, "Pain (NRS 0–10)", 10, ("pain_n", "pain_baseline_mean", "pain_mean")),
        (odi_axes, "Function (ODI 0–100)", 100, ("odi_n", "odi_baseline_mean", "odi_mean")),
    ):
        n_name, base_name, mean_name = attributes
        base = _series([_float(getattr(p, base_name)) for p in points])
        mean = _series([_float(getattr(p, mean_name)) for p in points])
        xs = range(len(points))
        axes.plot(xs, base, marker="o", color=_GREY, label="baseline of the same patients")
        axes.plot(xs, mean, marker="o", color=_BLUE, label="at the time point")
        axes.set_xticks(
            list(xs), [f"{n}\nn={getattr(p, n_name)}" for n, p in zip(names, points, strict=True)]
        )
        axes.set_ylim(0, scale)
        axes.set_title(title, fontsize=8)
        axes.tick_params(labelsize=6.5)
        axes.spines[["top", "right"]].set_visible(False)
    pain_axes.legend(fontsize=6, frameon=False)
    figure.tight_layout()
    return _png(figure)


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))
