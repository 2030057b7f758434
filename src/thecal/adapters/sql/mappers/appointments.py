"""Row ↔ domain for ``appointments`` (rebuilt without re-running the booking checks, which
refuse a start in the past), and a visit purpose from its three columns (shared with the visit
needs, which carry the same purpose)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from thecal.adapters.sql.mappers.transitions import history_from_json, history_json
from thecal.domain.scheduling import (
    Appointment,
    AppointmentState,
    PurposeKind,
    VisitPurpose,
    VisitType,
)

__all__ = ["appointment_from_row", "appointment_to_row", "purpose_from_row"]

T = TypeVar("T")
Row = Mapping[Any, Any]


def _blank(cls: type[T]) -> T:
    return cls.__new__(cls)


def appointment_to_row(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "visit_type": a.visit_type.value,
        "purpose_kind": a.purpose.kind.value,
        "purpose_ref": a.purpose.ref,
        "time_point": a.purpose.time_point,
        "clinician_id": a.clinician_id,
        "room_id": a.room_id,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "clinician_ends_at": a.clinician_ends_at,
        "state": a.state.value,
        "note": a.note,
        "reason": a.reason,
        "replaces": a.replaces,
        "replaced_by": a.replaced_by,
        "booked_by": a.booked_by,
        "booked_at": a.booked_at,
        "history": history_json(a.history),
        "version": a.version,
    }


def purpose_from_row(row: Row) -> VisitPurpose:
    return VisitPurpose(
        kind=PurposeKind(row["purpose_kind"]), ref=row["purpose_ref"], time_point=row["time_point"]
    )


def appointment_from_row(row: Row) -> Appointment:
    a = _blank(Appointment)
    a.id = row["id"]
    a.patient_id = row["patient_id"]
    a.visit_type = VisitType(row["visit_type"])
    a.purpose = purpose_from_row(row)
    a.clinician_id = row["clinician_id"]
    a.room_id = row["room_id"]
    a.starts_at = row["starts_at"]
    a.ends_at = row["ends_at"]
    a.clinician_ends_at = row["clinician_ends_at"]
    a.state = AppointmentState(row["state"])
    a.note = row["note"]
    a.reason = row["reason"]
    a.replaces = row["replaces"]
    a.replaced_by = row["replaced_by"]
    a.booked_by = row["booked_by"]
    a.booked_at = row["booked_at"]
    a.history = history_from_json(row["history"])
    a.version = row["version"]
    return a
