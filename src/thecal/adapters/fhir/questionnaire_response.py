"""QuestionnaireResponse: the raw answers of an assessment, item by item, in form order."""

from __future__ import annotations

from typing import Any

from thecal.adapters.fhir.codes import THECAL_INSTRUMENT, reference
from thecal.domain.assessment import Assessment

__all__ = ["questionnaire_response_resource"]


def questionnaire_response_resource(assessment: Assessment) -> dict[str, Any]:
    items = []
    for key in assessment.instrument.items:
        value = assessment.answers.get(key)
        item: dict[str, Any] = {"linkId": key}
        if value is not None:
            item["answer"] = [{"valueInteger": value}]
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": assessment.id,
        "questionnaire": f"{THECAL_INSTRUMENT}/{assessment.instrument.value}",
        "status": "completed",
        "subject": reference("Patient", assessment.patient_id),
        "authored": assessment.recorded_at.isoformat(),
        "author": {"identifier": {"value": assessment.recorded_by}},
        "item": items,
    }
    if assessment.procedure_id is not None:
        resource["partOf"] = [reference("Procedure", assessment.procedure_id)]
    return resource
