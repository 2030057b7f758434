"""The pump at a glance as a clinician reads it (issue 13 §1): every fact of
``services/pump_glance.py`` and the overview as display text — quantities at their display
precision in the drug's one unit (``shown``), times as dates with their age in days and hours,
alarms by priority with an icon and a word, names instead of ids — and the chart of the
reservoir and the daily dose (inline SVG, ``charts.line_chart``, with a table of its points).

The exact values stay in the record and in the API's JSON; nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from thecal.domain.device_events import AlarmPriority, BatteryState
from thecal.domain.quantity_display import catheter_model_name, shown
from thecal.domain.refill.reconciliation import ReconciliationVerdict
from thecal.domain.time_text import timespan_text
from thecal.domain.units import DoseRate, MassUnit, plain
from thecal.entrypoints.web.charts import line_chart
from thecal.services.pump_reads import PumpOverview

__all__ = ["AlarmText", "GlanceText", "age_text", "glance_text"]

#: icon, word and style class per alarm priority (never colour alone)
_PRIORITY = {
    AlarmPriority.HIGH: ("⛔", "high", "block"),
    AlarmPriority.MEDIUM: ("⚠", "medium", "warn"),
    AlarmPriority.LOW: ("ℹ", "low", "info"),
}
_ALARM_NAMES = {
    "low-reservoir": "Low reservoir",
    "empty-reservoir": "Empty reservoir",
    "elective-replacement": "Elective replacement indicator (ERI)",
    "end-of-service": "End of service (EOS)",
    "motor-stall": "Motor stall",
    "valve-closed": "Valve closed",
}
_BATTERY = {
    BatteryState.OK: "no battery alarm at the last interrogation",
    BatteryState.ELECTIVE_REPLACEMENT: "elective replacement indicator (ERI) reported",
    BatteryState.END_OF_SERVICE: "end of service (EOS) reported: the pump has stopped",
}
_VERDICT = {
    ReconciliationVerdict.WITHIN: "within the model's limits",
    ReconciliationVerdict.LESS_WITHDRAWN_THAN_EXPECTED: "less withdrawn than expected",
    ReconciliationVerdict.MORE_WITHDRAWN_THAN_EXPECTED: "more withdrawn than expected",
}
_HUNDREDTH = Decimal("0.01")
UNCONFIRMED = "; the maker's volume per cm is not confirmed"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmText:
    icon: str
    priority: str  # "high", "medium", "low"
    css: str
    name: str
    since: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseText:
    drug: str
    concentration: str
    daily_dose: str
    worst_case_daily_dose: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GlanceText:
    patient_name: str
    mrn: str
    birth_date: str
    doses: tuple[DoseText, ...]
    flow: str
    worst_case_flow: str
    reservoir_now: str
    reservoir_as_of: str
    reservoir_source: str
    alarm_at: str
    empty_at: str
    next_refill: str
    binding: str
    binding_detail: str
    alarms: tuple[AlarmText, ...]
    battery: str
    eri_at: str
    end_of_service_at: str
    last_interrogation: str
    pending_changes: int | None
    dead_space: str
    reconciliation: str
    chart_points: tuple[tuple[str, str, str], ...]  # (date, reservoir, note)
    dose_points: tuple[tuple[str, str], ...]  # (date, daily dose)
    reservoir_chart: Markup | None
    dose_chart: Markup | None


def _date(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def age_text(at: dt.datetime, now: dt.datetime) -> str:
    """``"3 days 4 h ago"``; ``"in 2 days"`` for a time ahead; ``"now"`` under a minute."""
    if abs(now - at) < dt.timedelta(minutes=1):
        return "now"
    if at <= now:
        return f"{timespan_text(now - at)} ago"
    return f"in {timespan_text(at - now)}"


def _when(at: dt.datetime | None, now: dt.datetime, missing: str) -> str:
    return missing if at is None else f"{_date(at)} ({age_text(at, now)})"


def _dose(rate: DoseRate, unit: MassUnit) -> str:
    return shown(rate, mass=unit)


def _reconciliation(overview: PumpOverview) -> str:
    last = overview.glance.last_refill
    if last is None:
        return "no refill recorded yet"
    rec = last.reconciliation
    filled = f"refilled {_date(last.completed_at)} with {shown(last.filled)}"
    if rec is None:
        return f"{filled}; no reconciliation recorded"
    return (
        f"{filled}; expected {shown(rec.expected_residual)}, withdrawn "
        f"{shown(rec.measured_residual)} (difference {shown(rec.discrepancy)}, limit "
        f"{shown(rec.threshold)}): {_VERDICT[rec.verdict]}"
    )


def _charts(overview: PumpOverview, unit: MassUnit) -> tuple[Markup | None, Markup | None]:
    glance = overview.glance
    serial = overview.pump.serial
    volumes = [(p.at, p.volume.ml.quantize(_HUNDREDTH)) for p in glance.reservoir_points]
    reservoir_chart = None
    if len(volumes) >= 2:
        top = max(v for _, v in volumes)
        reservoir_chart = line_chart(
            volumes,
            ident="glance-reservoir-chart",
            title=f"Reservoir volume of pump {serial} over time (mL)",
            unit="mL",
            y_max=max(top * Decimal("1.1"), Decimal(1)).quantize(Decimal(1)),
        )
    factor, places = (
        (Decimal(1000), Decimal("0.001")) if unit is MassUnit.MG else (Decimal(1), Decimal("0.1"))
    )
    doses = [
        (p.at, (p.daily_dose.mcg_per_day / factor).quantize(places)) for p in glance.dose_points
    ]
    dose_chart = None
    if len(doses) >= 2:
        top = max(v for _, v in doses)
        dose_chart = line_chart(
            doses,
            ident="glance-dose-chart",
            title=f"Basal daily dose of pump {serial} over time ({unit.symbol}/day)",
            unit=f"{unit.symbol}/day",
            y_max=max(top * Decimal("1.2"), Decimal(1)).quantize(Decimal(1)),
            step=True,
        )
    return reservoir_chart, dose_chart


def glance_text(overview: PumpOverview) -> GlanceText:
    """The glance panel's text (see the module)."""
    glance, plan, now = overview.glance, overview.plan, overview.at
    unit = glance.doses[0].unit
    binding, detail = "—", ""
    if plan is not None:
        binding = plan.binding.value
        detail = next(
            (c.detail for c in plan.candidates if c.limit is plan.binding and c.at == plan.due), ""
        )
    anchor = overview.reservoir.anchor
    reservoir_chart, dose_chart = _charts(overview, unit)
    return GlanceText(
        patient_name=glance.patient_name,
        mrn=glance.mrn,
        birth_date=glance.birth_date.isoformat(),
        doses=tuple(
            DoseText(
                drug=d.name,
                concentration=shown(d.concentration, mass=d.unit),
                daily_dose=_dose(d.daily_dose, d.unit),
                worst_case_daily_dose=_dose(d.worst_case_daily_dose, d.unit),
            )
            for d in glance.doses
        ),
        flow=shown(glance.flow),
        worst_case_flow=shown(glance.worst_case_flow),
        reservoir_now=shown(overview.reservoir.volume),
        reservoir_as_of=_date(overview.reservoir.at),
        reservoir_source=(
            f"estimated from the {'fill' if anchor.source.value == 'fill' else 'pump count'} "
            f"of {shown(anchor.volume)} on {_date(anchor.at)}"
        ),
        alarm_at=_when(
            plan.alarm_at if plan else None, now, "not projected (the reservoir was emptied)"
        ),
        empty_at=_when(overview.empty_at, now, "not projected (the reservoir was emptied)"),
        next_refill=_when(
            plan.due if plan else overview.pump.next_refill_due, now, "no refill due"
        ),
        binding=binding,
        binding_detail=detail,
        alarms=tuple(
            AlarmText(
                icon=_PRIORITY[a.priority][0],
                priority=_PRIORITY[a.priority][1],
                css=_PRIORITY[a.priority][2],
                name=_ALARM_NAMES.get(a.code, a.code.replace("-", " ").capitalize()),
                since=_when(a.since, now, ""),
            )
            for a in glance.active_alarms
        ),
        battery="not known: the pump was never interrogated"
        if glance.battery is None
        else _BATTERY[glance.battery],
        eri_at=f"{glance.eri_at:%Y-%m-%d} at the latest (projected from the service life)",
        end_of_service_at=f"{glance.end_of_service_at:%Y-%m-%d} at the latest",
        last_interrogation=_when(glance.last_interrogated_at, now, "never interrogated"),
        pending_changes=glance.pending_changes,
        dead_space=(
            f"{shown(glance.catheter_dead_space)} "
            f"({catheter_model_name(overview.pump.catheter_model_id)}, "
            f"{plain(overview.pump.catheter_length_cm)} cm implanted"
            f"{'' if glance.catheter_dead_space_confirmed else UNCONFIRMED})"
        ),
        reconciliation=_reconciliation(overview),
        chart_points=tuple(
            (_date(p.at), shown(p.volume), p.kind.value) for p in glance.reservoir_points
        ),
        dose_points=tuple((_date(p.at), _dose(p.daily_dose, unit)) for p in glance.dose_points),
        reservoir_chart=reservoir_chart,
        dose_chart=dose_chart,
    )
