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
from thecal.domain.library import reference_library
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
_NO_DOSE = DoseRate(Decimal(0))
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
    dose_drugs: tuple[str, ...]  # the dose table's columns: each drug's name and unit
    dose_points: tuple[tuple[str, tuple[str, ...]], ...]  # (date, each drug's daily dose)
    reservoir_chart: Markup | None
    dose_charts: tuple[tuple[str, Markup], ...]  # (caption, chart): one per drug


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


def _drugs(overview: PumpOverview) -> list[str]:
    """Every drug the dose history knows, the current primary first, then as they appear."""
    drugs = [overview.glance.doses[0].drug_id]
    for point in overview.glance.dose_points:
        drugs += [drug_id for drug_id, _ in point.by_drug if drug_id not in drugs]
    return drugs


def _per_day(rate: DoseRate, unit: MassUnit) -> Decimal:
    places = Decimal("0.001") if unit is MassUnit.MG else Decimal("0.1")
    return (rate.mcg_per_day / unit.mcg).quantize(places)


def _dose_charts(overview: PumpOverview) -> tuple[tuple[str, Markup], ...]:
    """One step chart per drug of the dose history, each in the drug's one unit (a drug not in
    the admixture at a time is at 0 then)."""
    glance, serial = overview.glance, overview.pump.serial
    library = reference_library()
    primary = glance.doses[0].drug_id
    if len(glance.dose_points) < 2:
        return ()
    charts = []
    for drug_id in _drugs(overview):
        drug = library.drug(drug_id)
        unit = drug.dose_unit
        doses = [
            (p.at, _per_day(dict(p.by_drug).get(drug_id, _NO_DOSE), unit))
            for p in glance.dose_points
        ]
        top = max(v for _, v in doses)
        chart = line_chart(
            doses,
            ident="glance-dose-chart" if drug_id == primary else f"glance-dose-chart-{drug_id}",
            title=f"Basal daily dose of {drug.name}, pump {serial}, over time ({unit.symbol}/day)",
            unit=f"{unit.symbol}/day",
            y_max=max(top * Decimal("1.2"), Decimal(1)).quantize(Decimal(1)),
            step=True,
        )
        charts.append((f"Basal daily dose of {drug.name} ({unit.symbol}/day)", chart))
    return tuple(charts)


def _reservoir_chart(overview: PumpOverview) -> Markup | None:
    glance = overview.glance
    volumes = [(p.at, p.volume.ml.quantize(_HUNDREDTH)) for p in glance.reservoir_points]
    if len(volumes) < 2:
        return None
    top = max(v for _, v in volumes)
    return line_chart(
        volumes,
        ident="glance-reservoir-chart",
        title=f"Reservoir volume of pump {overview.pump.serial} over time (mL)",
        unit="mL",
        y_max=max(top * Decimal("1.1"), Decimal(1)).quantize(Decimal(1)),
    )


def _dose_table(
    overview: PumpOverview,
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The dose charts' points: a column per drug (its name and unit), a row per point."""
    library = reference_library()
    drugs = [library.drug(d) for d in _drugs(overview)]
    header = tuple(f"{d.name} ({d.dose_unit.symbol}/day)" for d in drugs)
    rows = tuple(
        (
            _date(p.at),
            tuple(
                _dose(dict(p.by_drug)[d.id], d.dose_unit) if d.id in dict(p.by_drug) else "—"
                for d in drugs
            ),
        )
        for p in overview.glance.dose_points
    )
    return header, rows


def _eri(overview: PumpOverview) -> str:
    glance = overview.glance
    if glance.eri_reported is None:
        return f"{glance.eri_at:%Y-%m-%d} at the latest (projected from the service life)"
    report = glance.eri_reported
    return (
        f"reported on {report.reported_at:%Y-%m-%d} (raised by the pump {_date(report.raised_at)})"
    )


def _end_of_service(overview: PumpOverview) -> str:
    """Reported; else, after a reported ERI, the model's ERI-to-stop delay after it (S50); else
    the projection from the service life."""
    glance = overview.glance
    if glance.end_of_service_reported is not None:
        return f"reported on {glance.end_of_service_reported.reported_at:%Y-%m-%d}"
    model = reference_library().pump(overview.pump.model_id)
    if glance.eri_reported is not None and model.eri_to_stop is not None:
        delay = model.eri_to_stop.value.to_timedelta()
        stop = glance.eri_reported.raised_at + delay
        return f"{stop:%Y-%m-%d} at the latest ({timespan_text(delay)} after the reported ERI)"
    return f"{glance.end_of_service_at:%Y-%m-%d} at the latest"


def glance_text(overview: PumpOverview) -> GlanceText:
    """The glance panel's text (see the module)."""
    glance, plan, now = overview.glance, overview.plan, overview.at
    binding, detail = "—", ""
    if plan is not None:
        binding = plan.binding.value
        detail = next(
            (c.detail for c in plan.candidates if c.limit is plan.binding and c.at == plan.due), ""
        )
    anchor = overview.reservoir.anchor
    dose_drugs, dose_points = _dose_table(overview) if glance.dose_points else ((), ())
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
        eri_at=_eri(overview),
        end_of_service_at=_end_of_service(overview),
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
        dose_drugs=dose_drugs,
        dose_points=dose_points,
        reservoir_chart=_reservoir_chart(overview),
        dose_charts=_dose_charts(overview),
    )
