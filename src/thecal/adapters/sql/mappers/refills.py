"""Rows ↔ the ``Refill`` aggregate (``tables/refills.py``).

The aggregate is rebuilt without re-running its constructor (which validates a *new* refill): an
empty instance is made and the mapper sets every attribute; the reconciliation is recomputed from
the stored volumes, threshold and band. Label, verifier, tasks and history are JSON text
(``state_json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    canonical_json,
    decode_admixture,
    encode_admixture,
)
from thecal.adapters.sql.mappers.findings import findings_json
from thecal.adapters.sql.mappers.pharmacy import label_from_dict, label_to_dict
from thecal.adapters.sql.mappers.tasks import task_from_dict, task_to_dict
from thecal.adapters.sql.mappers.transitions import (
    transition_from_dict,
    transition_to_dict,
)
from thecal.domain.library import reference_library
from thecal.domain.program_change import (
    FindingSummary,
)
from thecal.domain.refill import (
    BedsideReadings,
    PocketFillChecklist,
    Refill,
    RefillState,
    reconcile,
)
from thecal.domain.units import Volume

__all__ = [
    "refill_from_row",
    "refill_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def _ml(volume: Volume | None) -> Decimal | None:
    return None if volume is None else volume.value


def _vol(value: Decimal | None) -> Volume | None:
    return None if value is None else Volume(Decimal(value))


def _text(volume: Volume | None) -> str | None:
    """A volume in mL as exact text in the JSON state (a float would round it)."""
    return None if volume is None else str(volume.value)


def _from_text(text: str | None) -> Volume | None:
    return None if text is None else Volume(Decimal(text))


def refill_to_row(
    refill: Refill,
    *,
    pump_id: str,
    verification_id: str | None,
    findings: tuple[FindingSummary, ...] = (),
) -> dict[str, Any]:
    rec = refill.reconciliation
    state = {
        "pump_model_id": refill.pump.id,
        "pump_serial": refill.pump_serial,
        "label": label_to_dict(refill.label) if refill.label else None,
        "verified_by": refill.verified_by,
        "program_change_id": refill.program_change_id,
        "bedside": {
            "withdrawn_ml": _text(refill.bedside.withdrawn),
            "injected_ml": _text(refill.bedside.injected),
        },
        "tasks": [task_to_dict(t) for t in refill.tasks],
        "history": [transition_to_dict(t) for t in refill.history],
    }
    checklist = refill.checklist
    return {
        "id": refill.refill_id,
        "pump_id": pump_id,
        "patient_id": refill.patient_id,
        "idempotency_key": refill.idempotency_key,
        "verification_id": verification_id,
        "state": refill.state.value,
        "opened_at": refill.history[0].at,
        "ordered_admixture_json": encode_admixture(refill.ordered_admixture),
        "ordered_volume_ml": refill.ordered_volume.value,
        "last_fill_volume_ml": _ml(refill.last_fill_volume),
        "expected_residual_ml": _ml(refill.expected_residual),
        "measured_residual_ml": _ml(rec.measured_residual) if rec else None,
        "discrepancy_ml": _ml(rec.discrepancy) if rec else None,
        "threshold_ml": _ml(rec.threshold) if rec else None,
        "band_pct": rec.band_pct if rec else None,
        "verdict": rec.verdict.value if rec else None,
        "test_volume_ml": _ml(refill.test_volume),
        "reservoir_volume_ml": _ml(refill.reservoir_volume),
        "next_refill_due": refill.plan.due if refill.plan else None,
        "refill_binding": refill.plan.binding.value if refill.plan else None,
        "checklist_json": None
        if checklist is None
        else canonical_json(
            {
                "needle_placement_confirmed": checklist.needle_placement_confirmed,
                "aspiration_positive": checklist.aspiration_positive,
                "no_pocket_swelling_or_pain": checklist.no_pocket_swelling_or_pain,
                "observed_for_overdose_symptoms": checklist.observed_for_overdose_symptoms,
            }
        ),
        "halt_reason": refill.halt_reason,
        "findings_json": findings_json(findings),
        "state_json": canonical_json(state),
        "version": refill.version,
    }


def refill_from_row(row: Row) -> Refill:
    """Rebuild a refill. ``plan`` is not stored whole: ``next_refill_due`` holds its date."""
    state = json.loads(row["state_json"])
    refill = Refill.__new__(Refill)
    refill.refill_id = row["id"]
    refill.idempotency_key = row["idempotency_key"]
    refill.patient_id = row["patient_id"]
    refill.pump = reference_library().pump(state["pump_model_id"])
    refill.pump_serial = state["pump_serial"]
    refill.ordered_admixture = decode_admixture(row["ordered_admixture_json"])
    refill.ordered_volume = Volume(Decimal(row["ordered_volume_ml"]))
    refill.state = RefillState(row["state"])
    refill.version = int(row["version"])
    refill.last_fill_volume = _vol(row["last_fill_volume_ml"])
    refill.expected_residual = _vol(row["expected_residual_ml"])
    measured = _vol(row["measured_residual_ml"])
    refill.reconciliation = None
    if measured is not None and refill.last_fill_volume and refill.expected_residual is not None:
        refill.reconciliation = reconcile(
            pump=refill.pump,
            last_fill_volume=refill.last_fill_volume,
            expected_residual=refill.expected_residual,
            measured_residual=measured,
            threshold=_vol(row["threshold_ml"]),
            band_pct=Decimal(row["band_pct"]),
        )
    refill.label = label_from_dict(state["label"]) if state["label"] else None
    refill.verified_by = state["verified_by"]
    refill.program_change_id = state.get("program_change_id")  # absent before issue 12 §2
    bedside = state.get("bedside") or {}  # absent before the nurse's readings were recorded
    refill.bedside = BedsideReadings(
        withdrawn=_from_text(bedside.get("withdrawn_ml")),
        injected=_from_text(bedside.get("injected_ml")),
    )
    refill.test_volume = _vol(row["test_volume_ml"])
    raw = row["checklist_json"]
    refill.checklist = None if raw is None else PocketFillChecklist(**json.loads(raw))
    refill.reservoir_volume = _vol(row["reservoir_volume_ml"])
    refill.plan = None
    refill.halt_reason = row["halt_reason"]
    refill.tasks = tuple(task_from_dict(t) for t in state["tasks"])
    refill.history = [transition_from_dict(t) for t in state["history"]]
    return refill
