"""A patient's record as a FHIR ``collection`` Bundle, and a resource list for ndjson."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from thecal.adapters.fhir.observation import observation_resources
from thecal.adapters.fhir.patient import patient_resource
from thecal.adapters.fhir.procedure import procedure_resource
from thecal.adapters.fhir.questionnaire_response import questionnaire_response_resource
from thecal.domain.assessment import Assessment
from thecal.domain.patient import Patient
from thecal.domain.procedure import ProcedureRecord

__all__ = ["patient_bundle", "record_resources"]


def record_resources(
    patient: Patient,
    procedures: Sequence[ProcedureRecord],
    assessments: Sequence[Assessment],
    extra: Iterable[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Patient, procedures, questionnaire responses and observations (then ``extra``), in order."""
    resources = [patient_resource(patient)]
    resources += [procedure_resource(p) for p in procedures]
    for assessment in assessments:
        resources.append(questionnaire_response_resource(assessment))
        resources += observation_resources(assessment)
    resources += list(extra)
    return resources


def patient_bundle(
    resources: Sequence[dict[str, Any]], *, bundle_id: str, timestamp: str
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": timestamp,
        "entry": [
            {"fullUrl": f"urn:thecal:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
