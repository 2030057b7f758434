"""Row ↔ domain conversion for the pathway tables (explicit, no ORM mapping).

The domain aggregates ``ProgramChange`` and ``Refill`` are rebuilt without re-running their
constructors (which validate a *new* proposal or refill): :func:`_blank` makes an empty instance and
the mapper sets every attribute the constructor and the state machine would have set. What is not
a column is stored as compact JSON text with unit-named fields and decimal strings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from thecal.adapters.program_codec import (
    admixture_from_dict,
    admixture_to_dict,
    canonical_json,
    decode_admixture,
    decode_program,
    encode_admixture,
    encode_program,
)
from thecal.domain.actors import Transition
from thecal.domain.library import reference_library
from thecal.domain.program_change import (
    FindingSeverity,
    FindingSummary,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeState,
    SendOutcome,
    Signature,
    diff,
)
from thecal.domain.refill import PharmacyLabel, PocketFillChecklist, Refill, RefillState, reconcile
from thecal.domain.tasks import Task, TaskClosure, TaskKind, TaskPriority
from thecal.domain.units import Volume, plain
from thecal.domain.users import Role
from thecal.services.pump_projection import project_pump
from thecal.services.pump_record import Pump, PumpState
from thecal.services.repositories.pharmacy import PharmacyVerification
from thecal.services.repositories.tasks import StoredTask, TaskState

__all__ = [
    "change_from_row",
    "change_to_row",
    "findings_from_json",
    "pump_from_row",
    "pump_to_row",
    "refill_from_row",
    "refill_to_row",
    "task_from_dict",
    "task_from_row",
    "task_to_dict",
    "task_to_row",
    "verification_from_row",
    "verification_to_row",
]

T = TypeVar("T")
Row = Mapping[Any, Any]


def _blank(cls: type[T]) -> T:
    return cls.__new__(cls)


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat()


def _at(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _at_known(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _ml(volume: Volume | None) -> Decimal | None:
    return None if volume is None else volume.value


def _vol(value: Decimal | None) -> Volume | None:
    return None if value is None else Volume(Decimal(value))


# ----------------------------------------------------------------------------- shared pieces


def task_to_dict(task: Task) -> dict[str, Any]:
    return {
        "kind": task.kind.value,
        "subject": task.subject,
        "origin": task.origin,
        "due": _iso(task.due),
        "not_before": _iso(task.not_before),
        "reason": task.reason,
        "source": task.source,
        "priority": task.priority.value,
    }


def task_from_dict(data: Mapping[str, Any]) -> Task:
    return Task(
        kind=TaskKind(data["kind"]),
        subject=data["subject"],
        origin=data["origin"],
        due=_at_known(data["due"]),
        not_before=_at(data.get("not_before")),
        reason=data["reason"],
        source=data["source"],
        priority=TaskPriority(data["priority"]),
    )


def _transition_to_dict(t: Transition) -> dict[str, Any]:
    return {
        "action": t.action,
        "from": t.from_state,
        "to": t.to_state,
        "user_id": t.user_id,
        "at": _iso(t.at),
        "version": t.version,
    }


def _transition_from_dict(d: Mapping[str, Any]) -> Transition:
    return Transition(
        action=d["action"],
        from_state=d["from"],
        to_state=d["to"],
        user_id=d["user_id"],
        at=_at_known(d["at"]),
        version=int(d["version"]),
    )


def _signature_to_dict(s: Signature | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"user_id": s.user_id, "role": s.role.value, "at": _iso(s.at), "token_id": s.token_id}


def _signature_from_dict(d: Mapping[str, Any] | None) -> Signature | None:
    if d is None:
        return None
    return Signature(
        user_id=d["user_id"], role=Role(d["role"]), at=_at_known(d["at"]), token_id=d["token_id"]
    )


def _finding_to_dict(f: FindingSummary) -> dict[str, str]:
    return {"code": f.code, "severity": f.severity.value, "message": f.message, "source": f.source}


def findings_from_json(text: str) -> tuple[FindingSummary, ...]:
    return tuple(
        FindingSummary(
            code=f["code"],
            severity=FindingSeverity(f["severity"]),
            message=f["message"],
            source=f["source"],
        )
        for f in json.loads(text)
    )


# ----------------------------------------------------------------------------- pumps


def pump_to_row(pump: Pump) -> dict[str, Any]:
    return {
        "id": pump.id,
        "patient_id": pump.patient_id,
        "model_id": pump.model_id,
        "serial": pump.serial,
        "implant_id": pump.implant_id,
        "implanted_at": pump.implanted_at,
        "catheter_model_id": pump.catheter_model_id,
        "catheter_length_cm": pump.catheter_length_cm,
        "catheter_tip_level": pump.catheter_tip_level,
        "admixture_json": encode_admixture(pump.admixture),
        "reservoir_volume_ml": pump.reservoir_volume.value,
        "last_filled_at": pump.last_filled_at,
        "program_json": encode_program(pump.program),
        "program_since": pump.program_since,
        "next_refill_due": pump.next_refill_due,
        "state": pump.state.value,
        "rng_seed": pump.rng_seed,
        "version": pump.version,
        **_projection(pump),  # the worklist's projected dates (adapters/orm_worklist.py)
    }


def _projection(pump: Pump) -> dict[str, Any]:
    p = project_pump(
        model_id=pump.model_id,
        implanted_at=pump.implanted_at,
        program=pump.program,
        admixture=pump.admixture,
        reservoir_volume=pump.reservoir_volume,
        last_filled_at=pump.last_filled_at,
    )
    return {
        "low_reservoir_alarm_at": p.low_reservoir_alarm_at,
        "stability_expires_at": p.stability_expires_at,
        "eri_at": p.eri_at,
        "end_of_service_at": p.end_of_service_at,
    }


def pump_from_row(row: Row) -> Pump:
    return Pump(
        id=row["id"],
        patient_id=row["patient_id"],
        model_id=row["model_id"],
        serial=row["serial"],
        implant_id=row["implant_id"],
        implanted_at=row["implanted_at"],
        catheter_model_id=row["catheter_model_id"],
        catheter_length_cm=Decimal(row["catheter_length_cm"]),
        catheter_tip_level=row["catheter_tip_level"],
        admixture=decode_admixture(row["admixture_json"]),
        reservoir_volume=Volume(Decimal(row["reservoir_volume_ml"])),
        last_filled_at=row["last_filled_at"],
        program=decode_program(row["program_json"]),
        program_since=row["program_since"],
        next_refill_due=row["next_refill_due"],
        state=PumpState(row["state"]),
        rng_seed=int(row["rng_seed"]),
        version=int(row["version"]),
    )


# ----------------------------------------------------------------------------- program changes


def change_to_row(change: ProgramChange, *, pump_id: str, idempotency_key: str) -> dict[str, Any]:
    state = {
        "signature": _signature_to_dict(change.signature),
        "co_signature": _signature_to_dict(change.co_signature),
        "acknowledged_warnings": sorted(change.acknowledged_warnings),
        "send_outcomes": [o.value for o in change.send_outcomes],
        "tasks": [task_to_dict(t) for t in change.tasks],
        "withdrawal_reason": change.withdrawal_reason,
        "used_tokens": sorted(change.used_token_ids),
        "history": [_transition_to_dict(t) for t in change.history],
    }
    return {
        "id": change.change_id,
        "patient_id": change.patient_id,
        "pump_id": pump_id,
        "idempotency_key": idempotency_key,
        "state": change.state.value,
        "proposed_by": change.proposed_by,
        "proposed_at": change.history[0].at,
        "rationale": change.rationale,
        "diff_digest": change.diff.digest,
        "old_program_json": encode_program(change.old_program),
        "new_program_json": encode_program(change.new_program),
        "findings_json": canonical_json(
            [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "message": f.message,
                    "source": f.source,
                }
                for f in change.findings
            ]
        ),
        "signed_by": change.signature.user_id if change.signature else None,
        "co_signed_by": change.co_signature.user_id if change.co_signature else None,
        "overrides_json": canonical_json(
            [
                {"finding_code": o.finding_code, "reason": o.reason.value, "text": o.text}
                for o in change.overrides
            ]
        ),
        "state_json": canonical_json(state),
        "version": change.version,
    }


def change_from_row(row: Row) -> ProgramChange:
    state = json.loads(row["state_json"])
    change = _blank(ProgramChange)
    change.change_id = row["id"]
    change.patient_id = row["patient_id"]
    change.old_program = decode_program(row["old_program_json"])
    change.new_program = decode_program(row["new_program_json"])
    change.diff = diff(change.old_program, change.new_program)
    change.proposed_by = row["proposed_by"]
    change.rationale = row["rationale"]
    change.state = ProgramChangeState(row["state"])
    change.version = int(row["version"])
    change.findings = findings_from_json(row["findings_json"])
    change.signature = _signature_from_dict(state["signature"])
    change.co_signature = _signature_from_dict(state["co_signature"])
    change.overrides = tuple(
        OverrideJustification(
            finding_code=o["finding_code"], reason=OverrideReason(o["reason"]), text=o["text"]
        )
        for o in json.loads(row["overrides_json"])
    )
    change.acknowledged_warnings = frozenset(state["acknowledged_warnings"])
    change.send_outcomes = tuple(SendOutcome(o) for o in state["send_outcomes"])
    change.tasks = tuple(task_from_dict(t) for t in state["tasks"])
    change.withdrawal_reason = state["withdrawal_reason"]
    change._used_tokens = set(state["used_tokens"])  # rehydrating the aggregate
    change.history = [_transition_from_dict(t) for t in state["history"]]
    return change


# ----------------------------------------------------------------------------- pharmacy


def _label_to_dict(label: PharmacyLabel) -> dict[str, Any]:
    return {
        "admixture": admixture_to_dict(label.admixture),
        "volume_ml": plain(label.volume.value),
        "lot": label.lot,
        "beyond_use": _iso(label.beyond_use),
    }


def _label_from_dict(d: Mapping[str, Any]) -> PharmacyLabel:
    return PharmacyLabel(
        admixture=admixture_from_dict(d["admixture"]),
        volume=Volume(Decimal(d["volume_ml"])),
        lot=d["lot"],
        beyond_use=_at_known(d["beyond_use"]),
    )


def verification_to_row(v: PharmacyVerification) -> dict[str, Any]:
    primary = v.label.admixture.primary
    return {
        "id": v.id,
        "pump_id": v.pump_id,
        "patient_id": v.patient_id,
        "admixture_json": encode_admixture(v.label.admixture),
        "primary_drug_id": primary.drug_id,
        "primary_concentration_mcg_per_ml": primary.concentration.value,
        "volume_ml": v.label.volume.value,
        "lot": v.label.lot,
        "beyond_use_at": v.label.beyond_use,
        "verified_by": v.verified_by,
        "verified_at": v.verified_at,
        "used_by_refill_id": v.used_by_refill_id,
        "version": v.version,
    }


def verification_from_row(row: Row) -> PharmacyVerification:
    return PharmacyVerification(
        id=row["id"],
        pump_id=row["pump_id"],
        patient_id=row["patient_id"],
        label=PharmacyLabel(
            admixture=decode_admixture(row["admixture_json"]),
            volume=Volume(Decimal(row["volume_ml"])),
            lot=row["lot"],
            beyond_use=row["beyond_use_at"],
        ),
        verified_by=row["verified_by"],
        verified_at=row["verified_at"],
        used_by_refill_id=row["used_by_refill_id"],
        version=int(row["version"]),
    )


# ----------------------------------------------------------------------------- refills


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
        "label": _label_to_dict(refill.label) if refill.label else None,
        "verified_by": refill.verified_by,
        "tasks": [task_to_dict(t) for t in refill.tasks],
        "history": [_transition_to_dict(t) for t in refill.history],
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
        "findings_json": canonical_json([_finding_to_dict(f) for f in findings]),
        "state_json": canonical_json(state),
        "version": refill.version,
    }


def refill_from_row(row: Row) -> Refill:
    """Rebuild a refill. ``plan`` is not stored whole: ``next_refill_due`` holds its date."""
    state = json.loads(row["state_json"])
    refill = _blank(Refill)
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
    refill.label = _label_from_dict(state["label"]) if state["label"] else None
    refill.verified_by = state["verified_by"]
    refill.test_volume = _vol(row["test_volume_ml"])
    raw = row["checklist_json"]
    refill.checklist = None if raw is None else PocketFillChecklist(**json.loads(raw))
    refill.reservoir_volume = _vol(row["reservoir_volume_ml"])
    refill.plan = None
    refill.halt_reason = row["halt_reason"]
    refill.tasks = tuple(task_from_dict(t) for t in state["tasks"])
    refill.history = [_transition_from_dict(t) for t in state["history"]]
    return refill


# ----------------------------------------------------------------------------- tasks


def task_to_row(stored: StoredTask) -> dict[str, Any]:
    t = stored.task
    return {
        "id": stored.id,
        "kind": t.kind.value,
        "patient_id": t.subject,
        "origin": t.origin,
        "due": t.due,
        "not_before": t.not_before,
        "reason": t.reason,
        "source": t.source,
        "priority": t.priority.value,
        "state": stored.state.value,
        "created_at": stored.created_at,
        "completed_by": stored.completed_by,
        "completed_at": stored.completed_at,
        "completed_how": stored.how.value if stored.how is not None else None,
        "completion_note": stored.note,
        "version": stored.version,
    }


def task_from_row(row: Row) -> StoredTask:
    return StoredTask(
        id=row["id"],
        task=Task(
            kind=TaskKind(row["kind"]),
            subject=row["patient_id"],
            origin=row["origin"],
            due=row["due"],
            not_before=row["not_before"],
            reason=row["reason"],
            source=row["source"],
            priority=TaskPriority(row["priority"]),
        ),
        created_at=row["created_at"],
        state=TaskState(row["state"]),
        completed_by=row["completed_by"],
        completed_at=row["completed_at"],
        how=TaskClosure(row["completed_how"]) if row["completed_how"] else None,
        note=row["completion_note"],
        version=int(row["version"]),
    )
