"""Refills, the schedule: in-pump stability (an admixed drug is not undiluted), the first fill of
a naive pump, the clinic's maximum interval, the low-reservoir alarm and unknown stability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from thecal.domain.drugs import WithdrawalRisk
from thecal.domain.forecast import forecast_reservoir
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.refill import days_between, refill_of
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import Volume

__all__ = ["RULES"]


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
    refill = refill_of(subject)
    if refill is None:
        return
    at = subject.context.at
    admixed = len(refill.admixture.components) > 1
    for component in refill.admixture.components:
        drug = subject.drug(component.drug_id)
        stability = drug.stability_days(component.concentration, admixed=admixed)
        if stability is None:
            continue
        limit = at + dt.timedelta(days=stability.value)
        if refill.next_refill_at > limit:
            yield Hit(
                message=(
                    f"next refill in {days_between(at, refill.next_refill_at)} is beyond {component.drug_id} "
                    f"{fmt(component.concentration, drug)}{' in an admixture' if admixed else ''} stability "
                    f"of {stability.value} days ({stability.cite()})"
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
    refill = refill_of(subject)
    if refill is None or not refill.first_fill:
        return
    at = subject.context.at
    for drug_id in refill.admixture.drug_ids:
        first = subject.drug(drug_id).first_fill_max_days
        if first is not None and refill.next_refill_at > at + dt.timedelta(days=first.value):
            yield Hit(
                message=(
                    f"first {drug_id} fill of a naive pump: next refill in "
                    f"{days_between(at, refill.next_refill_at)}, the limit is {first.value} days "
                    f"({first.cite()}): the drug adsorbs to titanium and dilutes in the residual volume"
                ),
                source=first.source,
                fields={"drug": drug_id, "limit_days": first.value},
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
    refill = refill_of(subject)
    if refill is None:
        return
    at, maximum = subject.context.at, subject.policy.max_refill_interval
    if refill.next_refill_at > at + maximum.to_timedelta():
        yield Hit(
            message=(
                f"next refill in {days_between(at, refill.next_refill_at)} is beyond the clinic maximum "
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


@rule(
    code="ITS-REFILL-008",
    severity=Severity.WARN,
    checks="next refill date against the projected low-reservoir alarm (worst case with every patient bolus); drugs with a boxed withdrawal warning: ITS-WDRAW-001",
    threshold="refill volume − alarm volume ÷ worst-case flow",
    source="S47, S66, safety:SR-10",
)
def refill_after_low_reservoir_alarm(subject: RuleInput) -> Iterator[Hit]:
    refill, pump, model = refill_of(subject), subject.context.pump, subject.pump_model
    prescription = subject.context.new_prescription
    if refill is None or pump is None or model is None or prescription is None:
        return
    if any(subject.drug(d).has_boxed_withdrawal_warning for d in prescription.admixture.drug_ids):
        return  # ITS-WDRAW-001 blocks it
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
                f"{fmt(refill.volume)} at {fmt(flow)} lasts {days_between(subject.context.at, alarm_at)} to the alarm"
            ),
            source="S47, S66",
            fields={
                "alarm_at": alarm_at.isoformat(),
                "next_refill": refill.next_refill_at.isoformat(),
            },
        )


@rule(
    code="ITS-REFILL-009",
    severity=Severity.WARN,
    checks="components whose in-pump stability is not in the library: the next refill against the clinic's default",
    threshold=lambda _library, policy: (
        f"next refill beyond {policy.unknown_stability} (clinic policy unknown_stability; S70)"
    ),
    source="drug library stability; clinic policy unknown_stability; clinical.md §5.1",
)
def stability_unknown(subject: RuleInput) -> Iterator[Hit]:
    refill = refill_of(subject)
    if refill is None:
        return
    at, default = subject.context.at, subject.policy.unknown_stability
    if refill.next_refill_at <= at + default.to_timedelta():
        return
    admixed = len(refill.admixture.components) > 1
    for component in refill.admixture.components:
        drug = subject.drug(component.drug_id)
        if drug.stability_days(component.concentration, admixed=admixed) is None:
            yield Hit(
                message=(
                    f"{component.drug_id} {fmt(component.concentration, drug)}: in-pump stability "
                    f"not in the library; next refill in {days_between(at, refill.next_refill_at)} "
                    f"is beyond the clinic's default of {default} for unknown stability "
                    f"({ClinicPolicy.source('unknown_stability')})"
                ),
                source="clinical.md §5.1, clinic policy",
                fields={
                    "drug": component.drug_id,
                    "next_refill": refill.next_refill_at.isoformat(),
                },
            )


RULES = (
    refill_beyond_stability,
    first_fill_interval_too_long,
    refill_beyond_clinic_interval,
    low_reservoir_alarm_too_low,
    refill_after_low_reservoir_alarm,
    stability_unknown,
)
