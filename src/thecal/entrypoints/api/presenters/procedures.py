"""Procedure records → API documents."""

from __future__ import annotations

from thecal.domain.procedure import ProcedureRecord
from thecal.entrypoints.api.schemas.procedures import ProcedurePublic

__all__ = [
    "procedure_public",
]


def procedure_public(p: ProcedureRecord) -> ProcedurePublic:
    return ProcedurePublic(
        id=p.id,
        patient_id=p.patient_id,
        kind=p.kind,
        performed_on=p.performed_on,
        indication=p.indication,
        performer_id=p.performer_id,
        recorded_by=p.recorded_by,
        recorded_at=p.recorded_at,
        source_record_id=p.source_record_id,
        notes=p.notes,
        version=p.version,
    )
