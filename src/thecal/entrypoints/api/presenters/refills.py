"""A refill's pocket-fill checklist → the domain's, and a refill → its API document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from thecal.domain.forecast import RefillPlan
from thecal.domain.program_change import (
    FindingSummary,
)
from thecal.domain.refill import PocketFillChecklist, Refill, RefillState
from thecal.domain.units import Volume, plain
from thecal.entrypoints.api.presenters.findings import findings_public
from thecal.entrypoints.api.presenters.program_changes import history_public
from thecal.entrypoints.api.presenters.quantities import estimate_ml_text, ml_text
from thecal.entrypoints.api.schemas.refills import PocketFillChecklistIn, RefillPublic
from thecal.services.refills import RefillOutcome

__all__ = [
    "checklist_of",
    "plan_fields",
    "refill_outcome_public",
    "refill_public",
]


def checklist_of(body: PocketFillChecklistIn) -> PocketFillChecklist:
    return PocketFillChecklist(
        needle_placement_confirmed=body.needle_placement_confirmed,
        aspiration_positive=body.aspiration_positive,
        no_pocket_swelling_or_pain=body.no_pocket_swelling_or_pain,
        observed_for_overdose_symptoms=body.observed_for_overdose_symptoms,
    )


def plan_fields(plan: RefillPlan | None) -> dict[str, str | None]:
    """The binding limit of a refill plan, its detail and the clinic's margin (in days)."""
    if plan is None:
        return dict.fromkeys(("next_refill_binding", "next_refill_detail", "refill_margin_days"))
    binding = next(c for c in plan.candidates if c.limit is plan.binding and c.at == plan.due)
    return {
        "next_refill_binding": plan.binding.value,
        "next_refill_detail": binding.detail,
        "refill_margin_days": plain(plan.margin.in_days),
    }


def _estimate(volume: Volume | None) -> str | None:
    return None if volume is None else estimate_ml_text(volume)


def _at(refill: Refill, state: RefillState) -> dt.datetime | None:
    times = [t.at for t in refill.history if t.to_state == state.value]
    return times[-1] if times else None


def refill_public(
    refill: Refill,
    findings: Iterable[FindingSummary],
    *,
    pump_id: str,
    replayed: bool = False,
) -> RefillPublic:
    rec = refill.reconciliation
    return RefillPublic(
        id=refill.refill_id,
        pump_id=pump_id,
        patient_id=refill.patient_id,
        state=refill.state.value,
        replayed=replayed,
        opened_at=refill.history[0].at,
        completed_at=_at(refill, RefillState.COMPLETED),
        halted_at=_at(refill, RefillState.HALTED),
        history=history_public(refill.history),
        ordered_volume_ml=plain(refill.ordered_volume.ml),
        withdrawn_as_read_ml=ml_text(refill.bedside.withdrawn),
        injected_as_read_ml=ml_text(refill.bedside.injected),
        expected_residual_ml=_estimate(rec.expected_residual if rec else refill.expected_residual),
        withdrawn_residual_ml=_estimate(rec.measured_residual if rec else None),
        discrepancy_ml=_estimate(rec.discrepancy) if rec else None,
        discrepancy_threshold_ml=ml_text(rec.threshold) if rec else None,
        verdict=rec.verdict.value if rec else None,
        possible_causes=[c.value for c in rec.possible_causes] if rec else [],
        findings=findings_public(findings),
        reservoir_volume_ml=ml_text(refill.reservoir_volume),
        next_refill_due=refill.plan.due if refill.plan else None,
        **plan_fields(refill.plan),
        halt_reason=refill.halt_reason,
        program_change_id=refill.program_change_id,
        version=refill.version,
    )


def refill_outcome_public(outcome: RefillOutcome, *, pump_id: str) -> RefillPublic:
    return refill_public(
        outcome.refill, outcome.findings, pump_id=pump_id, replayed=outcome.replayed
    )
