"""Refills: capacity, stability, first fill, aspiration, interval, low-reservoir alarm and
volume reconciliation (expected vs measured residual)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from thecal.domain.drugs import WithdrawalRisk
from thecal.domain.forecast import forecast_reservoir
from thecal.domain.safety.context import ActionKind, Refill
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, pct, rule
from thecal.domain.units import Duration, Volume

__all__ = ["RULES"]

_HUNDRED = Decimal(100)


def _refill(subject: RuleInput) -> Refill | None:
    if subject.context.action is not ActionKind.REFILL:
        return None
    return subject.context.proposal.refill


def _days(start: dt.datetime, end: dt.datetime) -> str:
    days = Duration.from_timedelta(end - start).in_days
    return f"{days.quantize(Decimal('0.1')).normalize():f} days"


@rule(
    code="ITS-REFILL-001",
    severity=Severity.BLOCK,
    checks="refill volume against the pump's reservoir capacity",
    threshold=lambda library, _policy: "; ".join(
        f"{p.id} {fmt(p.reservoir.value)} ({p.reservoir.cite()})" for p in library.pumps.values()
    ),
    source="pump model reservoir; S73 (do not overfill)",
)
def refill_above_capacity(subject: RuleInput) -> Iterator[Hit]:
    refill, model = _refill(subject), subject.pump_model
    if refill is None or model is None:
        return
    if refill.volume > model.reservoir.value:
        yield Hit(
            message=(
                f"refill of {fmt(refill.volume)} exceeds the {model.name} reservoir of "
                f"{fmt(model.reservoir.value)} ({model.reservoir.cite()}); never overfill (S73)"
            ),
            source=f"{model.reservoir.source}, S73",
            fields={"volume": refill.volume, "capacity": model.reservoir.value},
        )


@rule(
    code="ITS-REFILL-002",
    severity=Severity.BLOCK,
    checks="next refill date against the in-pump stability of every component",
    threshold=lambda library, _policy: "; ".join(
        f"{d.id} {r.days.value} days{' undiluted' if r.undiluted_only else ''}"
        f"{' diluted' if r.diluted_only else ''} ({r.days.cite()})"
        for d in library.drugs.values()
        for r in d.stability
    ),
    source="drug library stability",
)
def refill_beyond_stability(subject: RuleInput) -> Iterator[Hit]:
    refill = _refill(subject)
    if refill is None:
        return
    at = subject.context.at
    for component in refill.admixture.components:
        stability = subject.drug(component.drug_id).stability_days(component.concentration)
        if stability is None:
            continue
        limit = at + dt.timedelta(days=stability.value)
        if refill.next_refill_at > limit:
            yield Hit(
                message=(
                    f"next refill in {_days(at, refill.next_refill_at)} is beyond {component.drug_id} "
                    f"{fmt(component.concentration, subject.drug(component.drug_id))} stability of {stability.value} days ({stability.cite()})"
                ),
                source=stability.source,
                fields={
                    "drug": component.drug_id,
                    "next_refill": refill.next_refill_at.isoformat(),
                },
            )


@rule(
    code="ITS-REFILL-003",
    severity=Severity.BLOCK,
    checks="first fill of a naive pump: next refill within the drug's first-fill limit (ziconotide)",
    threshold=lambda library, _policy: "; ".join(
        f"{d.id} {d.first_fill_max_days.value} days ({d.first_fill_max_days.cite()})"
        for d in library.drugs.values()
        if d.first_fill_max_days
    ),
    source="drug library first_fill_max_days; S12",
)
def first_fill_interval_too_long(subject: RuleInput) -> Iterator[Hit]:
    refill = _refill(subject)
    if refill is None or not refill.first_fill:
        return
    at = subject.context.at
    for drug_id in refill.admixture.drug_ids:
        first = subject.drug(drug_id).first_fill_max_days
        if first is not None and refill.next_refill_at > at + dt.timedelta(days=first.value):
            yield Hit(
                message=(
                    f"first {drug_id} fill of a naive pump: next refill in "
                    f"{_days(at, refill.next_refill_at)}, the limit is {first.value} days "
                    f"({first.cite()}): the drug adsorbs to titanium and dilutes in the residual volume"
                ),
                source=first.source,
                fields={"drug": drug_id, "limit_days": first.value},
            )


@rule(
    code="ITS-REFILL-004",
    severity=Severity.BLOCK,
    checks="the needle position was confirmed by aspiration before the drug is instilled",
    threshold="aspiration confirmed",
    source="S74, S77",
)
def aspiration_not_confirmed(subject: RuleInput) -> Iterator[Hit]:
    refill = _refill(subject)
    if refill is not None and not refill.aspiration_confirmed:
        yield Hit(
            message=(
                "aspiration not confirmed: inject about 5 mL and aspirate it back before "
                "instilling the rest (S74); a missed reservoir is a pocket fill (S77)"
            ),
            source="S74, S77",
        )


@rule(
    code="ITS-REFILL-005",
    severity=Severity.WARN,
    checks="next refill date against the clinic's maximum refill interval",
    threshold=lambda _library, policy: (
        f"{policy.max_refill_interval} (clinic policy max_refill_interval)"
    ),
    source="clinic policy",
)
def refill_beyond_clinic_interval(subject: RuleInput) -> Iterator[Hit]:
    refill = _refill(subject)
    if refill is None:
        return
    at, maximum = subject.context.at, subject.policy.max_refill_interval
    if refill.next_refill_at > at + maximum.to_timedelta():
        yield Hit(
            message=(
                f"next refill in {_days(at, refill.next_refill_at)} is beyond the clinic maximum "
                f"interval of {maximum}"
            ),
            source="clinic policy",
            fields={"next_refill": refill.next_refill_at.isoformat()},
        )


@rule(
    code="ITS-REFILL-006",
    severity=Severity.WARN,
    checks="low-reservoir alarm for a high withdrawal-risk drug (baclofen) in a patient with an S18 risk factor",
    threshold=lambda _library, policy: (
        f"alarm below {policy.withdrawal_risk_alarm_ml} mL (S47); risk factors: SCI at or above "
        f"{policy.withdrawal_high_risk_sci_level}, communication difficulty, previous withdrawal (S18)"
    ),
    source="S47, S18",
)
def low_reservoir_alarm_too_low(subject: RuleInput) -> Iterator[Hit]:
    if subject.context.action not in (
        ActionKind.REFILL,
        ActionKind.PROGRAM_CHANGE,
        ActionKind.NEW_START,
    ):
        return
    pump, model, prescription = (
        subject.context.pump,
        subject.pump_model,
        subject.context.new_prescription,
    )
    if pump is None or model is None or prescription is None:
        return
    high = [
        d
        for d in prescription.admixture.drug_ids
        if subject.drug(d).withdrawal_risk.value is WithdrawalRisk.HIGH
    ]
    factors = subject.context.patient.withdrawal_risk_factors(
        subject.policy.withdrawal_high_risk_sci_level
    )
    alarm = pump.low_reservoir_alarm or model.low_reservoir_alarm.value
    wanted = Volume.from_ml(subject.policy.withdrawal_risk_alarm_ml)
    if high and factors and alarm < wanted:
        yield Hit(
            message=(
                f"low-reservoir alarm at {fmt(alarm)} for a high withdrawal-risk patient on "
                f"{', '.join(high)} ({', '.join(factors)}, S18): set it to at least {fmt(wanted)} (S47)"
            ),
            source="S47, S18",
            fields={"alarm": alarm, "recommended": wanted},
        )


def _discrepancy_limits(subject: RuleInput) -> tuple[Volume, Decimal] | None:
    model = subject.pump_model
    if model is None:
        return None
    threshold = subject.policy.refill_discrepancy_threshold or model.discrepancy_threshold.value
    band = subject.policy.refill_accuracy_band_pct or model.accuracy_band_pct.value
    return threshold, band


@rule(
    code="ITS-REFILL-007",
    severity=Severity.OVERRIDE,
    checks="measured vs expected residual volume at refill (reconciliation)",
    threshold=lambda library, policy: "; ".join(
        f"{p.id}: > {fmt(policy.refill_discrepancy_threshold or p.discrepancy_threshold.value)} "
        f"({p.discrepancy_threshold.cite()}) or outside ±{policy.refill_accuracy_band_pct or p.accuracy_band_pct.value} % "
        f"of the volume delivered ({p.accuracy_band_pct.cite()})"
        for p in library.pumps.values()
    ),
    source="pump model discrepancy_threshold (S75), accuracy_band_pct (S62); clinic policy",
)
def reconciliation_discrepancy(subject: RuleInput) -> Iterator[Hit]:
    refill, limits = _refill(subject), _discrepancy_limits(subject)
    if refill is None or limits is None:
        return
    if refill.expected_residual is None or refill.measured_residual is None:
        return
    threshold, band = limits
    difference = refill.measured_residual - refill.expected_residual
    reasons = []
    if abs(difference) > threshold:
        reasons.append(f"more than {fmt(threshold)} (S75)")
    delivered = refill.expected_delivered
    if delivered is not None and delivered.value > 0:
        deviation = abs(difference).ml / delivered.ml * _HUNDRED
        if deviation > band:
            reasons.append(
                f"{pct(deviation)} of the {fmt(delivered)} delivered, outside ±{band} % (S62)"
            )
    if not reasons:
        return
    if difference.value < 0:
        meaning = (
            "less fluid than expected: over-delivery, a leak, or drug lost outside the reservoir — "
            "suspect a previous pocket fill; check the patient for overdose signs"
        )
    else:
        meaning = (
            "more fluid than expected: under-delivery — suspect a stalled or blocked pump, catheter "
            "occlusion, kink or disconnection; check for withdrawal signs"
        )
    yield Hit(
        message=(
            f"measured residual {fmt(refill.measured_residual)} vs expected {fmt(refill.expected_residual)}: "
            f"{'+' if difference.value > 0 else '−'}{fmt(abs(difference))}, {' and '.join(reasons)}; "
            f"{meaning}. Work-up: pocket-fill checklist, pump interrogation and log review, "
            f"catheter dye study or imaging if unexplained (S73, S74, S75, S77)"
        ),
        source="S75, S62, S77",
        fields={
            "expected": refill.expected_residual,
            "measured": refill.measured_residual,
            "difference": difference,
        },
    )


@rule(
    code="ITS-REFILL-008",
    severity=Severity.WARN,
    checks="next refill date against the projected low-reservoir alarm (worst case with every patient bolus)",
    threshold="refill volume − alarm volume ÷ worst-case flow",
    source="S47, S66, safety:SR-10",
)
def refill_after_low_reservoir_alarm(subject: RuleInput) -> Iterator[Hit]:
    refill, pump, model = _refill(subject), subject.context.pump, subject.pump_model
    prescription = subject.context.new_prescription
    if refill is None or pump is None or model is None or prescription is None:
        return
    alarm = pump.low_reservoir_alarm or model.low_reservoir_alarm.value
    flow = prescription.program().worst_case_flow
    forecast = forecast_reservoir(reservoir=refill.volume, alarm=alarm, flow=flow)
    if forecast.to_alarm is None:
        return
    alarm_at = subject.context.at + forecast.to_alarm.to_timedelta()
    if refill.next_refill_at > alarm_at:
        yield Hit(
            message=(
                f"next refill {refill.next_refill_at.date().isoformat()} is after the projected "
                f"low-reservoir alarm ({fmt(alarm)}) on {alarm_at.date().isoformat()}: "
                f"{fmt(refill.volume)} at {fmt(flow)} lasts {_days(subject.context.at, alarm_at)} to the alarm"
            ),
            source="S47, S66",
            fields={
                "alarm_at": alarm_at.isoformat(),
                "next_refill": refill.next_refill_at.isoformat(),
            },
        )


@rule(
    code="ITS-REFILL-009",
    severity=Severity.INFO,
    checks="components whose in-pump stability is not in the library",
    threshold="stability not given",
    source="drug library stability; clinical.md §5.1",
)
def stability_unknown(subject: RuleInput) -> Iterator[Hit]:
    refill = _refill(subject)
    if refill is None:
        return
    for component in refill.admixture.components:
        if subject.drug(component.drug_id).stability_days(component.concentration) is None:
            yield Hit(
                message=(
                    f"{component.drug_id} {fmt(component.concentration, subject.drug(component.drug_id))}: in-pump stability not in the "
                    f"library; only the clinic maximum interval of {subject.policy.max_refill_interval} applies"
                ),
                source="clinical.md §5.1",
                fields={"drug": component.drug_id},
            )


RULES = (
    refill_above_capacity,
    refill_beyond_stability,
    first_fill_interval_too_long,
    aspiration_not_confirmed,
    refill_beyond_clinic_interval,
    low_reservoir_alarm_too_low,
    reconciliation_discrepancy,
    refill_after_low_reservoir_alarm,
    stability_unknown,
)
