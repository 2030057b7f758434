"""Two small server-rendered charts for the patient timeline, as inline SVG (no JavaScript):
pain (NRS 0–10) over time and the daily dose history of each pump, one chart per drug of its
admixture, each in the drug's one unit.

Each chart has ``role="img"``, a ``<title>`` and a ``<desc>`` naming every point, so a screen
reader gets the same data as the picture. Coordinates are computed with ``Decimal`` (display
only, but no floats anywhere near a dose).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from thecal.domain.assessment import Assessment
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.units import DoseRate, MassUnit, plain
from thecal.services.pump_glance import basal_doses
from thecal.services.therapy_history import PumpHistory

__all__ = [
    "DoseChart",
    "Point",
    "dose_charts",
    "dose_points",
    "line_chart",
    "pain_chart",
    "pain_points",
]

Point = tuple[dt.datetime, Decimal]

_W, _H = Decimal(640), Decimal(220)
_LEFT, _RIGHT, _TOP, _BOTTOM = Decimal(48), Decimal(16), Decimal(16), Decimal(36)
_TENTH = Decimal("0.1")
_NO_DOSE = DoseRate(Decimal(0))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def pain_points(assessments: Sequence[Assessment]) -> list[Point]:
    """(day, pain 0–10) of every assessment that gives an NRS pain figure, oldest first."""
    return sorted(
        (_at(a.assessed_on), a.figures.pain_nrs)
        for a in assessments
        if a.figures.pain_nrs is not None
    )


def _programs(history: PumpHistory) -> list[tuple[dt.datetime, InfusionProgram]]:
    """The pump's programs from implant: the first, then each confirmed one from its time."""
    confirmed = sorted(
        (c.history[-1].at, c) for c in history.changes if c.state is ProgramChangeState.CONFIRMED
    )
    first = confirmed[0][1].old_program if confirmed else history.pump.program
    return [(history.pump.implanted_at, first)] + [(at, c.new_program) for at, c in confirmed]


def dose_points(
    history: PumpHistory,
    now: dt.datetime,
    unit: MassUnit = MassUnit.MG,
    drug_id: str | None = None,
) -> list[Point]:
    """The basal daily dose of one drug of a pump (``drug_id``; the primary when None) from
    implant to ``now`` in ``unit``/day (the drug's display unit): one point per confirmed
    program (0 while the drug is not in the admixture), and the current dose again at ``now``
    (a step chart). An adjuvant's dose is the basal flow × its concentration."""
    wanted = drug_id or history.pump.admixture.primary.drug_id
    points = [
        (at, dict(basal_doses(program)).get(wanted, _NO_DOSE).mcg_per_day / unit.mcg)
        for at, program in _programs(history)
    ]
    if now > points[-1][0]:
        points.append((now, points[-1][1]))
    return points


def _x(at: dt.datetime, start: dt.datetime, span: Decimal) -> Decimal:
    seconds = Decimal(int((at - start).total_seconds()))
    return (_LEFT + (_W - _LEFT - _RIGHT) * seconds / span).quantize(_TENTH)


def _y(value: Decimal, top: Decimal) -> Decimal:
    return (_H - _BOTTOM - (_H - _TOP - _BOTTOM) * value / top).quantize(_TENTH)


def line_chart(
    points: Sequence[Point],
    *,
    ident: str,
    title: str,
    unit: str,
    y_max: Decimal,
    step: bool = False,
) -> Markup:
    """An accessible SVG line (or step) chart of ``points`` on 0…``y_max``."""
    start, end = points[0][0], points[-1][0]
    span = Decimal(max(int((end - start).total_seconds()), 1))
    coords: list[tuple[Decimal, Decimal]] = []
    for at, value in points:
        x, y = _x(at, start, span), _y(value, y_max)
        if step and coords:
            coords.append((x, coords[-1][1]))
        coords.append((x, y))
    desc = "; ".join(f"{at:%Y-%m-%d}: {plain(value)} {unit}" for at, value in points)
    path = " ".join(f"{x},{y}" for x, y in coords)
    base, left = _H - _BOTTOM, _LEFT
    dots = "".join(
        f'<circle cx="{_x(at, start, span)}" cy="{_y(v, y_max)}" r="4"/>' for at, v in points
    )
    return Markup(  # noqa: S704 - every text is escaped; the numbers are Decimals and dates
        f'<svg class="chart" id="{escape(ident)}" role="img" viewBox="0 0 {_W} {_H}" '
        f'aria-labelledby="{escape(ident)}-t {escape(ident)}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(ident)}-t">{escape(title)}</title>'
        f'<desc id="{escape(ident)}-d">{escape(desc)}</desc>'
        f'<line class="axis" x1="{left}" y1="{base}" x2="{_W - _RIGHT}" y2="{base}"/>'
        f'<line class="axis" x1="{left}" y1="{_TOP}" x2="{left}" y2="{base}"/>'
        f'<text x="{left - 6}" y="{_TOP + 5}" text-anchor="end">{plain(y_max)}</text>'
        f'<text x="{left - 6}" y="{base}" text-anchor="end">0</text>'
        f'<text x="{left}" y="{_H - 10}">{start:%Y-%m-%d}</text>'
        f'<text x="{_W - _RIGHT}" y="{_H - 10}" text-anchor="end">{end:%Y-%m-%d}</text>'
        f'<text x="{left + 6}" y="{_TOP + 5}">{escape(unit)}</text>'
        f'<polyline class="series" points="{path}"/><g class="dots">{dots}</g></svg>'
    )


def pain_chart(assessments: Sequence[Assessment]) -> Markup | None:
    points = pain_points(assessments)
    if not points:
        return None
    return line_chart(
        points, ident="pain-chart", title="Pain (NRS 0–10) over time", unit="NRS", y_max=Decimal(10)
    )


def _drugs(history: PumpHistory) -> list[str]:
    """Every drug the pump's programs held, the current primary first, then as they appear."""
    drugs = [history.pump.admixture.primary.drug_id]
    for _, program in _programs(history):
        drugs += [d for d, _ in basal_doses(program) if d not in drugs]
    return drugs


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseChart:
    """One drug's daily dose history of one pump: the caption, the chart and its points as text."""

    ident: str
    caption: str
    chart: Markup
    points: tuple[tuple[str, str], ...]  # (day, daily dose with its unit)


def dose_charts(history: PumpHistory, now: dt.datetime) -> list[DoseChart]:
    """One step chart of the daily dose per drug of the pump's admixture (morphine and
    clonidine each in its own unit); the primary's first, with the pump's serial as its id."""
    charts = []
    serial = history.pump.serial
    for drug_id in _drugs(history):
        drug = reference_library().drug(drug_id)
        unit = drug.dose_unit  # mcg for baclofen and clonidine, mg for morphine…
        places = Decimal("0.001") if unit is MassUnit.MG else Decimal("0.1")
        points = [
            (at, value.quantize(places))
            for at, value in dose_points(history, now, unit, drug_id=drug_id)
        ]
        highest = max(value for _, value in points)
        primary = drug_id == history.pump.admixture.primary.drug_id
        ident = f"dose-chart-{serial}" if primary else f"dose-chart-{serial}-{drug_id}"
        chart = line_chart(
            points,
            ident=ident,
            title=f"Daily dose of {drug.name}, pump {serial}",
            unit=f"{unit.symbol}/day",
            y_max=max(highest * Decimal("1.2"), Decimal(1)).quantize(Decimal(1)),
            step=True,
        )
        charts.append(
            DoseChart(
                ident=ident,
                caption=f"Daily dose of {drug.name} ({unit.symbol}/day), pump {serial}",
                chart=chart,
                points=tuple(
                    (f"{at:%Y-%m-%d}", f"{plain(value)} {unit.symbol}/day") for at, value in points
                ),
            )
        )
    return charts
