"""Procedure (any procedure on record: injections, trials, implants, revisions, refills)."""

from __future__ import annotations

from typing import Any

from thecal.adapters.fhir.codes import THECAL_PROCEDURE, reference
from thecal.domain.procedure import ProcedureRecord

__all__ = ["procedure_resource"]


def procedure_resource(record: ProcedureRecord) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": record.id,
        "status": "completed",
        "code": {
            "coding": [
                {
                    "system": THECAL_PROCEDURE,
                    "code": record.kind.value,
                    "display": record.kind.label,
                }
            ],
            "text": record.kind.label,
        },
        "subject": reference("Patient", record.patient_id),
        "performedDateTime": record.performed_on.isoformat(),
        "performer": [{"actor": {"identifier": {"value": record.performer_id}}}],
        "reasonCode": [{"text": record.indication}],
    }
    if record.notes:
        resource["note"] = [{"text": record.notes}]
    return resource
