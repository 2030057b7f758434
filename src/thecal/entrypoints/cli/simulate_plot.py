"""Draw a twin run: reservoir (pump's belief vs truth) and the dose at the catheter tip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from thecal.simulation.runner import SimulationRun
from thecal.simulation.scale import UNITS_PER_ML, US_PER_DAY

__all__ = ["draw"]

_COLOURS = ("#1f6feb", "#d1242f", "#8250df", "#1a7f37")


def _daily_tip_dose(run: SimulationRun, drug: str) -> tuple[list[dt.datetime], list[float]]:
    """Dose per day at the tip, binned by day (cumulative mass interpolated at day boundaries).

    Between two trace records the cumulative mass is interpolated linearly; the twin itself is
    exact, this is for drawing only. Short runs are binned by hour instead, shown per day.
    """
    trace = run.twin.trace
    if not trace:
        return [], []
    points = [(r.at_us, float(r.tip_mcg_of(drug)) / 1000) for r in trace]
    end = points[-1][0]
    width = US_PER_DAY if end >= 10 * US_PER_DAY else US_PER_DAY // 24
    times, rates, j = [], [], 0

    def cumulative(t: int) -> float:
        nonlocal j
        while j + 1 < len(points) and points[j + 1][0] <= t:
            j += 1
        t0, m0 = points[j]
        if j + 1 >= len(points) or points[j + 1][0] == t0:
            return m0
        t1, m1 = points[j + 1]
        return m0 + (m1 - m0) * (t - t0) / (t1 - t0)

    edge, before = width, cumulative(0)
    while edge <= end:
        after = cumulative(edge)
        times.append(run.twin.at(edge - width // 2))
        rates.append((after - before) * US_PER_DAY / width)
        before, edge = after, edge + width
    return times, rates


def draw(run: SimulationRun, path: Path) -> None:
    """Two panels sharing time: reservoir volumes and alarms; tip dose per drug (mg/day)."""
    trace = run.twin.trace
    at = [run.twin.at(r.at_us) for r in trace]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(11, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    believed = [r.believed_units / UNITS_PER_ML for r in trace]
    true = [r.true_units / UNITS_PER_ML for r in trace]
    top.plot(at, true, color="#d1242f", lw=2.2, alpha=0.55, label="reservoir — physical truth")
    top.plot(at, believed, color="#1f6feb", lw=1.0, label="reservoir — pump's belief")
    low = run.twin.mech.low_threshold / UNITS_PER_ML
    top.axhline(low, color="#9a6700", lw=0.8, ls=":", label=f"low-reservoir alarm ({low:g} mL)")
    for change in run.twin.alarms.log:
        if change.raised:
            colour = {"high": "#d1242f", "medium": "#9a6700", "low": "#57606a"}[
                change.kind.priority.value
            ]
            top.axvline(run.twin.at(change.at_us), color=colour, lw=0.6, alpha=0.5)
    for record in trace:
        if record.kind == "hazard":
            top.annotate(
                record.name,
                (run.twin.at(record.at_us), record.true_units / UNITS_PER_ML),
                color="#d1242f",
                fontweight="bold",
            )
    top.set_ylabel("reservoir (mL)")
    top.set_ylim(bottom=0)
    top.legend(loc="upper right", fontsize=8)
    top.set_title(f"{run.scenario.name} — {run.scenario.pump.name}", fontsize=11)
    top.grid(alpha=0.3)
    drugs = list(dict.fromkeys(d for r in trace for d, _ in r.tip_mcg))
    for colour, drug in zip(_COLOURS, drugs, strict=False):
        times, rates = _daily_tip_dose(run, drug)
        bottom.plot(times, rates, color=colour, lw=1.0, label=f"{drug} at the catheter tip")
    bottom.set_ylabel("dose at the tip (mg/day)")
    bottom.grid(alpha=0.3)
    if drugs:
        bottom.legend(loc="upper right", fontsize=8)
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
