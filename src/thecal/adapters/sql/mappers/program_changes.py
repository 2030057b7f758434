"""Rows ↔ the ``ProgramChange`` aggregate (``tables/program_changes.py``).

The aggregate is rebuilt without re-running its constructor (which validates a *new* proposal): an
empty instance is made and the mapper sets every attribute the constructor and the state machine
would have set. What is not a column is stored as compact JSON text with unit-named fields and
decimal strings (``state_json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    canonical_json,
    decode_program,
    encode_program,
)
from thecal.adapters.sql.mappers.findings import findings_from_json, findings_json
from thecal.adapters.sql.mappers.instants import instant, iso_text
from thecal.adapters.sql.mappers.tasks import task_from_dict, task_to_dict
from thecal.adapters.sql.mappers.transitions import (
    transition_from_dict,
    transition_to_dict,
)
from thecal.domain.admixture_change import AdmixtureTransition
from thecal.domain.program_change import (
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeKind,
    ProgramChangeState,
    SendOutcome,
    Signature,
    diff,
)
from thecal.domain.units import Volume, plain
from thecal.domain.users import Role

__all__ = [
    "change_from_row",
    "change_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def _signature_to_dict(s: Signature | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "user_id": s.user_id,
        "role": s.role.value,
        "at": iso_text(s.at),
        "token_id": s.token_id,
    }


def _signature_from_dict(d: Mapping[str, Any] | None) -> Signature | None:
    if d is None:
        return None
    return Signature(
        user_id=d["user_id"], role=Role(d["role"]), at=instant(d["at"]), token_id=d["token_id"]
    )


def change_to_row(change: ProgramChange, *, pump_id: str, idempotency_key: str) -> dict[str, Any]:
    state = {
        "signature": _signature_to_dict(change.signature),
        "co_signature": _signature_to_dict(change.co_signature),
        "acknowledged_warnings": sorted(change.acknowledged_warnings),
        "send_outcomes": [o.value for o in change.send_outcomes],
        "tasks": [task_to_dict(t) for t in change.tasks],
        "withdrawal_reason": change.withdrawal_reason,
        "used_tokens": sorted(change.used_token_ids),
        "history": [transition_to_dict(t) for t in change.history],
        "kind": change.kind.value,
    }
    if change.transition is not None:  # an admixture change at a refill (its bridge is signed)
        state["admixture_transition"] = {
            "dead_space_ml": plain(change.transition.dead_space.ml),
            "bridge": change.transition.bridge,
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
        "findings_json": findings_json(change.findings),
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
    change = ProgramChange.__new__(ProgramChange)
    change.change_id = row["id"]
    change.patient_id = row["patient_id"]
    change.old_program = decode_program(row["old_program_json"])
    change.new_program = decode_program(row["new_program_json"])
    saved = state.get("admixture_transition")
    change.transition = (
        None
        if saved is None
        else AdmixtureTransition(
            old_program=change.old_program,
            new_program=change.new_program,
            dead_space=Volume.from_ml(Decimal(saved["dead_space_ml"])),
            bridge=bool(saved["bridge"]),
        )
    )
    change.diff = diff(
        change.old_program,
        change.new_program,
        extra=change.transition.diff_rows() if change.transition else (),
    )
    change.kind = ProgramChangeKind(state.get("kind", ProgramChangeKind.CHANGE.value))
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
    change.history = [transition_from_dict(t) for t in state["history"]]
    return change
