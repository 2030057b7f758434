"""The pump: drug approval, flow range, service life and MRI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from thecal.domain.devices import PumpModel
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, Threshold, fmt, hours, rule
from thecal.domain.units import FlowRate

__all__ = ["RULES", "end_of_service"]


def _pumps_text(describe: str) -> Threshold:
    def text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
        parts = []
        for pump in library.pumps.values():
            if describe == "approved":
                parts.append(
                    f"{pump.id}: {', '.join(pump.approved_drugs.value)} ({pump.approved_drugs.cite()})"
                )
            elif describe == "flow":
                parts.append(
                    f"{pump.id}: {fmt(pump.min_flow.value)} ({pump.min_flow.cite()}) – "
                    f"{fmt(pump.max_flow.value)} ({pump.max_flow.cite()})"
                )
            elif describe == "mri" and pump.must_be_emptied_for_mri:
                parts.append(pump.id)
        return "; ".join(parts)

    return text


@rule(
    code="ITS-PUMP-001",
    severity=Severity.OVERRIDE,
    checks="each drug newly put into the pump is on the pump model's approved-drug list",
    threshold=_pumps_text("approved"),
    source="pump model approved_drugs; S30",
)
def drug_not_approved_for_pump(subject: RuleInput) -> Iterator[Hit]:
    model, proposed = subject.pump_model, subject.proposed
    if model is None or proposed is None:
        return
    before = set(subject.current.admixture.drug_ids) if subject.current else set()
    for drug_id in proposed.admixture.drug_ids:
        if drug_id not in before and not model.approves(drug_id):
            yield Hit(
                message=(
                    f"{drug_id} is not approved for the {model.name}; approved: "
                    f"{', '.join(model.approved_drugs.value)} ({model.approved_drugs.cite()}); FDA "
                    f"advises using only labeled drugs for the specific pump (S30)"
                ),
                source=f"{model.approved_drugs.source}, S30",
                fields={"drug": drug_id, "pump": model.id},
            )


def _flows(subject: RuleInput) -> list[tuple[str, FlowRate]]:
    proposed = subject.proposed
    if proposed is None:
        return []
    program = proposed.program()
    concentration = proposed.admixture.primary.concentration
    flows = [
        (f"step from {hours(step.start)}", step.rate / concentration) for step in program.steps
    ]
    for label, bolus in (
        ("periodic bolus", program.periodic),
        ("single bolus", program.single_bolus),
    ):
        if bolus is not None:
            flows.append((f"{label} delivery", (bolus.dose / bolus.duration) / concentration))
    if proposed.patient_bolus is not None and program.basal_daily_dose.value > 0:
        # an average over the day: meaningful on top of a basal rate, not of a bolus alone
        flows.append(("worst case with every patient bolus", program.worst_case_flow))
    return flows


def _flow_hit(model: PumpModel, where: str, flow: FlowRate, *, above: bool) -> Hit:
    limit = model.max_flow if above else model.min_flow
    side = "above the maximum" if above else "below the minimum"
    return Hit(
        message=(
            f"flow {fmt(flow)} ({where}) is {side} of the {model.name}, "
            f"{fmt(limit.value)} ({limit.cite()}); change the concentration"
        ),
        source=limit.source,
        fields={"flow": flow, "limit": limit.value, "pump": model.id},
    )


@rule(
    code="ITS-PUMP-002",
    severity=Severity.BLOCK,
    checks="every non-zero programmed flow against the pump model's minimum and maximum",
    threshold=_pumps_text("flow"),
    source="pump model min_flow / max_flow",
)
def flow_outside_pump_range(subject: RuleInput) -> Iterator[Hit]:
    model = subject.pump_model
    if model is None:
        return
    for where, flow in _flows(subject):
        if 0 < flow.value < model.min_flow.value.value:
            yield _flow_hit(model, where, flow, above=False)
        if flow > model.max_flow.value:
            yield _flow_hit(model, where, flow, above=True)


def end_of_service(subject: RuleInput) -> dt.datetime | None:
    """The pump's end of service: given, or ERI date plus the model's ERI-to-stop delay (S50)."""
    pump, model = subject.context.pump, subject.pump_model
    if pump is None or model is None:
        return None
    if pump.end_of_service is not None:
        return pump.end_of_service
    if pump.eri_reached_at is not None and model.eri_to_stop is not None:
        return pump.eri_reached_at + model.eri_to_stop.value.to_timedelta()
    return None


@rule(
    code="ITS-PUMP-003",
    severity=Severity.WARN,
    checks="the pump has passed its elective replacement indicator (ERI)",
    threshold=lambda library, _policy: "; ".join(
        f"{p.id}: stops {p.eri_to_stop.value} after ERI ({p.eri_to_stop.cite()})"
        for p in library.pumps.values()
        if p.eri_to_stop
    ),
    source="pump model eri_to_stop; S50",
)
def pump_past_eri(subject: RuleInput) -> Iterator[Hit]:
    pump, model = subject.context.pump, subject.pump_model
    if pump is None or model is None or pump.eri_reached_at is None:
        return
    if pump.eri_reached_at <= subject.context.at:
        stop = end_of_service(subject)
        yield Hit(
            message=(
                f"{model.name} reached ERI on {pump.eri_reached_at.date().isoformat()}; it stops at "
                f"end of service {stop.date().isoformat() if stop else 'unknown'}: schedule replacement (S50)"
            ),
            source="S50",
            fields={"eri": pump.eri_reached_at.isoformat()},
        )


def _program_end(subject: RuleInput) -> dt.datetime | None:
    refill = subject.context.proposal.refill
    if refill is not None and subject.context.action is ActionKind.REFILL:
        return refill.next_refill_at
    pump, proposed = subject.context.pump, subject.proposed
    if pump is None or proposed is None:
        return None
    flow = proposed.program().basal_flow
    if flow.value <= 0:
        return None
    return subject.context.at + (pump.reservoir / flow).to_timedelta()


@rule(
    code="ITS-PUMP-004",
    severity=Severity.BLOCK,
    checks="the program (until the next refill, or until the reservoir empties) ends before the pump's end of service",
    threshold="end of service given, or ERI + the model's eri_to_stop",
    source="pump model eri_to_stop; S50",
)
def program_beyond_end_of_service(subject: RuleInput) -> Iterator[Hit]:
    stop, end = end_of_service(subject), _program_end(subject)
    if stop is not None and end is not None and end > stop:
        yield Hit(
            message=(
                f"the program runs until {end.date().isoformat()}, after the pump's end of service "
                f"on {stop.date().isoformat()}: the pump will stop delivering (S50); plan a "
                f"replacement or an earlier refill"
            ),
            source="S50",
            fields={"program_end": end.isoformat(), "end_of_service": stop.isoformat()},
        )


@rule(
    code="ITS-MRI-001",
    severity=Severity.BLOCK,
    checks="an MRI with a valve-gated pump that must be emptied first",
    threshold=_pumps_text("mri"),
    source="pump model mri = empty-before-mri; S58, S59",
)
def mri_pump_not_emptied(subject: RuleInput) -> Iterator[Hit]:
    mri, model = subject.context.proposal.mri, subject.pump_model
    if mri is None or model is None:
        return
    if model.must_be_emptied_for_mri and not mri.pump_emptied:
        yield Hit(
            message=(
                f"{model.name} must be emptied before MRI: its valves may open in the field and "
                f"dump the reservoir into the intrathecal space (S58, S59)"
            ),
            source="S58, S59",
            fields={"pump": model.id},
        )


@rule(
    code="ITS-MRI-002",
    severity=Severity.INFO,
    checks="every MRI creates a post-MRI interrogation task",
    threshold="every MRI",
    source="S55, S57, safety:SR-15",
)
def post_mri_interrogation(subject: RuleInput) -> Iterator[Hit]:
    mri, model = subject.context.proposal.mri, subject.pump_model
    if mri is None or model is None:
        return
    recovery = (
        f"; normal infusion may take up to {model.mri_recovery_max.value} to return "
        f"({model.mri_recovery_max.cite()})"
        if model.mri_recovery_max
        else ""
    )
    yield Hit(
        message=(
            f"task: interrogate the {model.name} after the MRI on "
            f"{mri.planned_at.date().isoformat()} and confirm it runs as programmed{recovery}"
        ),
        source="S55, S57",
        fields={"task": "post-mri-interrogation", "due": mri.planned_at.isoformat()},
    )


RULES = (
    drug_not_approved_for_pump,
    flow_outside_pump_range,
    pump_past_eri,
    program_beyond_end_of_service,
    mri_pump_not_emptied,
    post_mri_interrogation,
)
