"""A refill's pocket-fill checklist → the domain's, and a refill → its API document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from thecal.domain.program_change import (
    FindingSummary,
)
from thecal.domain.refill import PocketFillChecklist, Refill, RefillState
from thecal.domain.units import plain
from thecal.entrypoints.api.presenters.findings import findings_public
from thecal.entrypoints.api.presenters.program_changes import history_public
from thecal.entrypoints.api.presenters.quantities import ml_text
from thecal.entrypoints.api.schemas.refills import PocketFillChecklistIn, RefillPublic
from thecal.services.refills import RefillOutcome

__all__ = [
    "checklist_of",
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
        expected_residual_ml=ml_text(rec.expected_residual if rec else refill.expected_residual),
        withdrawn_residual_ml=ml_text(rec.measured_residual if rec else None),
        discrepancy_ml=ml_text(rec.discrepancy) if rec else None,
        discrepancy_threshold_ml=ml_text(rec.threshold) if rec else None,
        verdict=rec.verdict.value if rec else None,
        possible_causes=[c.value for c in rec.possible_causes] if rec else [],
        findings=findings_public(findings),
        reservoir_volume_ml=ml_text(refill.reservoir_volume),
        next_refill_due=refill.plan.due if refill.plan else None,
        halt_reason=refill.halt_reason,
        version=refill.version,
    )


def refill_outcome_public(outcome: RefillOutcome, *, pump_id: str) -> RefillPublic:
    return refill_public(
        outcome.refill, outcome.findings, pump_id=pump_id, replayed=outcome.replayed
    )
