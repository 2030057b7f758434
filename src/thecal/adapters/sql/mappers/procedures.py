"""Rows ↔ procedure records (``tables/procedures.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.procedure import ProcedureKind, ProcedureRecord

__all__ = [
    "procedure_from_row",
    "procedure_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def procedure_to_row(record: ProcedureRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "patient_id": record.patient_id,
        "kind": record.kind.value,
        "performed_on": record.performed_on,
        "indication": record.indication,
        "performer_id": record.performer_id,
        "recorded_by": record.recorded_by,
        "recorded_at": record.recorded_at,
        "source_record_id": record.source_record_id,
        "notes": record.notes,
        "version": record.version,
    }


def procedure_from_row(row: Row) -> ProcedureRecord:
    return ProcedureRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        kind=ProcedureKind(row["kind"]),
        performed_on=row["performed_on"],
        indication=row["indication"],
        performer_id=row["performer_id"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        source_record_id=row["source_record_id"],
        notes=row["notes"],
        version=row["version"],
    )
