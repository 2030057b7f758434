"""Row ↔ domain for ``visit_needs``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.adapters.sql.mappers.appointments import purpose_from_row
from thecal.domain.scheduling import NeedState, VisitNeed, VisitType

__all__ = ["need_from_row", "need_to_row"]

Row = Mapping[Any, Any]


def need_to_row(need: VisitNeed) -> dict[str, Any]:
    return {
        "id": need.id,
        "patient_id": need.patient_id,
        "visit_type": need.visit_type.value,
        "purpose_kind": need.purpose.kind.value,
        "purpose_ref": need.purpose.ref,
        "time_point": need.purpose.time_point,
        "earliest": need.earliest,
        "target": need.target,
        "latest": need.latest,
        "reason": need.reason,
        "state": need.state.value,
        "appointment_id": need.appointment_id,
    }


def need_from_row(row: Row) -> VisitNeed:
    return VisitNeed(
        id=row["id"],
        patient_id=row["patient_id"],
        visit_type=VisitType(row["visit_type"]),
        purpose=purpose_from_row(row),
        earliest=row["earliest"],
        target=row["target"],
        latest=row["latest"],
        reason=row["reason"],
        state=NeedState(row["state"]),
        appointment_id=row["appointment_id"],
    )
