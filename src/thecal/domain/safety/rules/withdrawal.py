"""Withdrawal-risk dates for drugs with a boxed withdrawal warning (intrathecal baclofen, S18,
S35b): abrupt loss of the drug can kill, so an empty reservoir is not left to an alarm.

* A refill whose next refill comes after the projected low-reservoir alarm (worst case with every
  patient bolus) → block (a warning for other drugs, ITS-REFILL-008).
* A program change or start that makes the reservoir run dry before the refill on the record →
  block; that makes it reach the alarm first → warn (bring the refill forward).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from thecal.domain.forecast import forecast_reservoir
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.refill import days_between
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.sourced import Sourced
from thecal.domain.units import FlowRate, Volume

__all__ = ["RULES"]


def _boxed(subject: RuleInput) -> tuple[str, Sourced[bool]] | None:
    prescription = subject.context.new_prescription
    if prescription is None:
        return None
    for drug_id in prescription.admixture.drug_ids:
        warning = subject.drug(drug_id).boxed_withdrawal_warning
        if warning is not None and warning.value:
            return drug_id, warning
    return None


def _boxed_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    return ", ".join(
        f"{d.id} ({d.boxed_withdrawal_warning.cite()})"
        for d in library.drugs.values()
        if d.boxed_withdrawal_warning is not None and d.boxed_withdrawal_warning.value
    )


def _alarm(subject: RuleInput) -> Volume | None:
    pump, model = subject.context.pump, subject.pump_model
    if pump is None or model is None:
        return None
    return pump.low_reservoir_alarm or model.planning_volume


def _worst_flow(subject: RuleInput) -> FlowRate | None:
    prescription = subject.context.new_prescription
    return prescription.program().worst_case_flow if prescription is not None else None


def _when(
    subject: RuleInput, reservoir: Volume, alarm: Volume, flow: FlowRate
) -> tuple[dt.datetime | None, dt.datetime | None]:
    forecast = forecast_reservoir(reservoir=reservoir, alarm=alarm, flow=flow)
    at = subject.context.at
    alarm_at = at + forecast.to_alarm.to_timedelta() if forecast.to_alarm is not None else None
    empty_at = at + forecast.to_empty.to_timedelta() if forecast.to_empty is not None else None
    return alarm_at, empty_at


@rule(
    code="ITS-WDRAW-001",
    severity=Severity.BLOCK,
    checks="a drug with a boxed withdrawal warning: the next refill before the projected low-reservoir alarm (refill), or the reservoir lasting to the refill on record (program change, start)",
    threshold=lambda library, policy: (
        f"drugs: {_boxed_text(library, policy)}; worst case with every patient bolus"
    ),
    source="drug library boxed_withdrawal_warning (S18, S35b); S47, S66",
)
def withdrawal_before_refill(subject: RuleInput) -> Iterator[Hit]:
    boxed, alarm, flow = _boxed(subject), _alarm(subject), _worst_flow(subject)
    pump, context = subject.context.pump, subject.context
    if boxed is None or alarm is None or flow is None or pump is None or flow.value <= 0:
        return
    drug_id, warning = boxed
    refill = context.proposal.refill
    if context.action is ActionKind.REFILL and refill is not None:
        alarm_at, _ = _when(subject, refill.volume, alarm, flow)
        if alarm_at is not None and refill.next_refill_at > alarm_at:
            yield Hit(
                message=(
                    f"{drug_id} (boxed withdrawal warning, {warning.cite()}): the next refill "
                    f"{refill.next_refill_at.date().isoformat()} is after the projected "
                    f"low-reservoir alarm ({fmt(alarm)}) on {alarm_at.date().isoformat()} — "
                    f"{fmt(refill.volume)} at {fmt(flow)} lasts "
                    f"{days_between(context.at, alarm_at)}; abrupt withdrawal can be fatal: "
                    f"schedule the refill before the alarm (S47)"
                ),
                source=f"{warning.source}, S47",
                fields={
                    "alarm_at": alarm_at.isoformat(),
                    "next_refill": refill.next_refill_at.isoformat(),
                },
            )
        return
    if context.action in (ActionKind.PROGRAM_CHANGE, ActionKind.NEW_START) and pump.next_refill_at:
        _, empty_at = _when(subject, pump.reservoir, alarm, flow)
        if empty_at is not None and empty_at < pump.next_refill_at:
            yield Hit(
                message=(
                    f"{drug_id} (boxed withdrawal warning, {warning.cite()}): at {fmt(flow)} the "
                    f"{fmt(pump.reservoir)} in the reservoir runs dry on "
                    f"{empty_at.date().isoformat()}, before the refill on "
                    f"{pump.next_refill_at.date().isoformat()}: bring the refill forward first"
                ),
                source=f"{warning.source}, S47",
                fields={
                    "empty_at": empty_at.isoformat(),
                    "next_refill": pump.next_refill_at.isoformat(),
                },
            )


@rule(
    code="ITS-WDRAW-002",
    severity=Severity.WARN,
    checks="a program change or start of a drug with a boxed withdrawal warning: the low-reservoir alarm comes before the refill on record",
    threshold="projected alarm (worst case) before the next refill on the pump's record",
    source="drug library boxed_withdrawal_warning (S18, S35b); S47",
)
def alarm_before_refill(subject: RuleInput) -> Iterator[Hit]:
    boxed, alarm, flow = _boxed(subject), _alarm(subject), _worst_flow(subject)
    pump, context = subject.context.pump, subject.context
    if boxed is None or alarm is None or flow is None or pump is None or flow.value <= 0:
        return
    if context.action not in (ActionKind.PROGRAM_CHANGE, ActionKind.NEW_START):
        return
    if pump.next_refill_at is None:
        return
    drug_id, warning = boxed
    alarm_at, empty_at = _when(subject, pump.reservoir, alarm, flow)
    if alarm_at is None or empty_at is None or empty_at < pump.next_refill_at:
        return  # no forecast, or ITS-WDRAW-001 blocks it
    if alarm_at < pump.next_refill_at:
        yield Hit(
            message=(
                f"{drug_id} (boxed withdrawal warning, {warning.cite()}): at {fmt(flow)} the "
                f"low-reservoir alarm ({fmt(alarm)}) comes on {alarm_at.date().isoformat()}, "
                f"before the refill on {pump.next_refill_at.date().isoformat()}: bring the "
                f"refill forward (S47)"
            ),
            source=f"{warning.source}, S47",
            fields={
                "alarm_at": alarm_at.isoformat(),
                "next_refill": pump.next_refill_at.isoformat(),
            },
        )


RULES = (withdrawal_before_refill, alarm_before_refill)
