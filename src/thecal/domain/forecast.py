"""Reservoir forecast and the next refill date, with the limit that binds.

Next refill = the earliest of (clinical.md §11 rule 7, S47, S12, S48, S66):

* the projected low-reservoir alarm minus the clinic's margin;
* the stability limit of the shortest-lived component of the admixture;
* for a first fill of a naive pump with ziconotide, 14 days (S12);
* the clinic's maximum refill interval.

The forecast is given both at the basal flow and assuming every allowed patient bolus is taken
(Prometra's rule, S66): the conservative date is the one used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.drugs import Drug
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.policy import ClinicPolicy
from thecal.domain.quantity_display import shown
from thecal.domain.reservoir import ProgramSpan, ReservoirAnchor, time_reaching
from thecal.domain.sourced import Sourced
from thecal.domain.units import Duration, FlowRate, Volume

__all__ = [
    "RefillLimit",
    "RefillPlan",
    "ReservoirForecast",
    "forecast_reservoir",
    "plan_next_refill",
    "plan_refill_from_history",
    "volume_left",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservoirForecast:
    """Time from now to the low-reservoir alarm and to empty, at a given flow."""

    flow: FlowRate
    to_alarm: Duration | None  # None when the flow is zero
    to_empty: Duration | None


def forecast_reservoir(*, reservoir: Volume, alarm: Volume, flow: FlowRate) -> ReservoirForecast:
    """Days to the alarm = (reservoir − alarm) ÷ flow; to empty = reservoir ÷ flow.

    A reservoir already at or below the alarm gives zero time to the alarm.
    """
    if reservoir.value < 0 or alarm.value < 0 or flow.value < 0:
        raise ValueOutOfRange(
            name="forecast inputs", expected="≥ 0", value=(reservoir, alarm, flow)
        )
    if flow.value == 0:
        return ReservoirForecast(flow=flow, to_alarm=None, to_empty=None)
    above_alarm = max(reservoir - alarm, Volume(Decimal(0)))
    return ReservoirForecast(flow=flow, to_alarm=above_alarm / flow, to_empty=reservoir / flow)


class RefillLimit(Enum):
    LOW_RESERVOIR_ALARM = "low-reservoir alarm (minus margin)"
    STABILITY = "drug stability"
    FIRST_FILL = "first fill of a naive pump"
    CLINIC_MAXIMUM = "clinic maximum interval"


def volume_left(*, filled: Volume, flow: FlowRate, elapsed: Duration) -> Volume:
    """What a reservoir filled with ``filled`` holds after ``elapsed`` at ``flow`` (the record's
    estimate: never below 0 mL; the pump's own count at interrogation is authoritative)."""
    used = flow * elapsed
    if used.value >= filled.value:
        return Volume(Decimal(0))
    return filled - used


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillCandidate:
    limit: RefillLimit
    at: dt.datetime
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillPlan:
    """The next refill date, the limit that binds, and every candidate considered."""

    due: dt.datetime
    binding: RefillLimit
    candidates: tuple[RefillCandidate, ...]
    basal: ReservoirForecast
    worst_case: ReservoirForecast
    unknown_stability: tuple[str, ...]
    margin: Duration  # the clinic's margin before the low-reservoir alarm (7 days by default)
    alarm_at: dt.datetime | None = None  # the projected low-reservoir alarm (worst case)


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueOutOfRange(name="time", expected="timezone-aware", value=at.isoformat())


def plan_next_refill(
    *,
    filled_at: dt.datetime,
    reservoir: Volume,
    alarm: Volume,
    basal_flow: FlowRate,
    worst_case_flow: FlowRate,
    admixture: Admixture,
    drugs: dict[str, Drug],
    policy: ClinicPolicy,
    naive_pump_first_fill: bool = False,
) -> RefillPlan:
    """Compute the next refill date and say which limit binds.

    Args:
        filled_at: when the reservoir was filled (timezone-aware; time is passed in).
        reservoir: volume in the reservoir after the fill.
        alarm: the programmed low-reservoir alarm volume.
        basal_flow: average flow without patient boluses.
        worst_case_flow: flow with every allowed patient bolus taken.
        admixture: the reservoir contents (stability per component).
        drugs: library entries for the admixture's drugs.
        policy: the clinic's margin and maximum interval.
        naive_pump_first_fill: a first fill of a pump never filled with this drug before.
    """
    _require_aware(filled_at)
    basal = forecast_reservoir(reservoir=reservoir, alarm=alarm, flow=basal_flow)
    worst = forecast_reservoir(reservoir=reservoir, alarm=alarm, flow=worst_case_flow)
    alarm_at: dt.datetime | None = None
    detail = ""
    if worst.to_alarm is not None:
        alarm_at = filled_at + worst.to_alarm.to_timedelta()
        detail = (
            f"alarm at {shown(alarm)} after {shown(worst.to_alarm)} at {shown(worst_case_flow)}, "
            f"minus {shown(policy.refill_margin)}"
        )
    return _plan(
        filled_at=filled_at,
        alarm_at=alarm_at,
        alarm_detail=detail,
        basal=basal,
        worst=worst,
        admixture=admixture,
        drugs=drugs,
        policy=policy,
        naive_pump_first_fill=naive_pump_first_fill,
    )


def plan_refill_from_history(
    *,
    filled_at: dt.datetime,
    anchor: ReservoirAnchor,
    spans: tuple[ProgramSpan, ...],
    alarm: Volume,
    admixture: Admixture,
    drugs: dict[str, Drug],
    policy: ClinicPolicy,
    naive_pump_first_fill: bool = False,
) -> RefillPlan:
    """:func:`plan_next_refill` from the record's history (``domain/reservoir.py``): the alarm
    candidate is when the reservoir, from ``anchor`` (the fill, or the pump's count at the last
    interrogation) through every program since, reaches ``alarm`` with every allowed patient bolus
    taken (S66), minus the clinic's margin; stability, first fill and the clinic maximum count
    from ``filled_at``. ``basal``/``worst_case`` are the forecasts from the anchor at the last
    program's flows."""
    _require_aware(filled_at)
    last = max(spans, key=lambda s: s.since).program
    basal = forecast_reservoir(reservoir=anchor.volume, alarm=alarm, flow=last.basal_flow)
    worst = forecast_reservoir(reservoir=anchor.volume, alarm=alarm, flow=last.worst_case_flow)
    alarm_at = time_reaching(anchor=anchor, spans=spans, level=alarm, worst_case=True)
    detail = (
        f"alarm at {shown(alarm)} reached from {shown(anchor.volume)} ({anchor.source.value} "
        f"at {anchor.at.isoformat(timespec='minutes')}) with every allowed bolus taken, minus "
        f"{shown(policy.refill_margin)}"
    )
    return _plan(
        filled_at=filled_at,
        alarm_at=alarm_at,
        alarm_detail=detail,
        basal=basal,
        worst=worst,
        admixture=admixture,
        drugs=drugs,
        policy=policy,
        naive_pump_first_fill=naive_pump_first_fill,
    )


def _plan(
    *,
    filled_at: dt.datetime,
    alarm_at: dt.datetime | None,
    alarm_detail: str,
    basal: ReservoirForecast,
    worst: ReservoirForecast,
    admixture: Admixture,
    drugs: dict[str, Drug],
    policy: ClinicPolicy,
    naive_pump_first_fill: bool,
) -> RefillPlan:
    candidates: list[RefillCandidate] = []
    if alarm_at is not None:
        when = alarm_at - policy.refill_margin.to_timedelta()
        candidates.append(
            RefillCandidate(limit=RefillLimit.LOW_RESERVOIR_ALARM, at=when, detail=alarm_detail)
        )
    unknown: list[str] = []
    for component in admixture.components:
        drug = drugs[component.drug_id]
        stability: Sourced[int] | None = drug.stability_days(
            component.concentration, admixed=len(admixture.components) > 1
        )
        if stability is None:
            unknown.append(drug.id)
            continue
        candidates.append(
            RefillCandidate(
                limit=RefillLimit.STABILITY,
                at=filled_at + dt.timedelta(days=stability.value),
                detail=f"{drug.id} stable {stability.value} days ({stability.cite()})",
            )
        )
        if naive_pump_first_fill and drug.first_fill_max_days is not None:
            first = drug.first_fill_max_days
            candidates.append(
                RefillCandidate(
                    limit=RefillLimit.FIRST_FILL,
                    at=filled_at + dt.timedelta(days=first.value),
                    detail=f"{drug.id} first refill within {first.value} days ({first.cite()})",
                )
            )
    candidates.append(
        RefillCandidate(
            limit=RefillLimit.CLINIC_MAXIMUM,
            at=filled_at + policy.max_refill_interval.to_timedelta(),
            detail=f"clinic maximum interval {policy.max_refill_interval}",
        )
    )
    earliest = min(candidates, key=lambda c: c.at)
    return RefillPlan(
        due=earliest.at,
        binding=earliest.limit,
        candidates=tuple(candidates),
        basal=basal,
        worst_case=worst,
        unknown_stability=tuple(unknown),
        margin=policy.refill_margin,
        alarm_at=alarm_at,
    )
