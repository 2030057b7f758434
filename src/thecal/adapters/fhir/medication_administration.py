"""MedicationAdministration: a reservoir fill (the admixture and volume) and a patient bolus."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thecal.adapters.fhir.codes import THECAL_DRUG, reference
from thecal.adapters.fhir.medication_request import medication_resource
from thecal.adapters.fhir.quantities import dose_unit, mass_quantity, volume_quantity
from thecal.domain.admixture import Admixture
from thecal.domain.units import Mass, Volume

__all__ = ["bolus_administration", "fill_administration"]


def fill_administration(
    *,
    administration_id: str,
    patient_id: str,
    admixture: Admixture,
    volume: Volume,
    at: dt.datetime,
    procedure_id: str | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A reservoir fill: the admixture, the volume put in, when, and the fill procedure."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": administration_id,
        "status": "completed",
        "category": {"text": "pump reservoir fill"},
        "contained": [medication_resource("admixture", admixture)],
        "medicationReference": {"reference": "#admixture"},
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": at.isoformat(),
        "dosage": {
            "route": {"text": "intrathecal (via implanted pump reservoir)"},
            "dose": volume_quantity(volume),
        },
    }
    if procedure_id is not None:
        resource["partOf"] = [reference("Procedure", procedure_id)]
    if device_id is not None:
        resource["device"] = [reference("Device", device_id)]
    if request_id is not None:
        resource["request"] = reference("MedicationRequest", request_id)
    return resource


def bolus_administration(
    *,
    administration_id: str,
    patient_id: str,
    drug_id: str,
    dose: Mass | None,
    at: dt.datetime,
    delivered: bool | None,
    device_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A patient-activated bolus; ``delivered`` ``None`` means the outcome is uncertain.

    The dose is in the drug's dose unit (mg or mcg, UCUM ``mg``/``ug``); ``None`` when no
    bolus dose is known (the dosage then names the route only).
    """
    status = {True: "completed", False: "not-done", None: "unknown"}[delivered]
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": administration_id,
        "status": status,
        "category": {"text": "patient-activated bolus"},
        "medicationCodeableConcept": {
            "coding": [{"system": THECAL_DRUG, "code": drug_id}],
            "text": drug_id,
        },
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": at.isoformat(),
        "dosage": {
            "route": {"text": "intrathecal"},
        },
    }
    if dose is not None:
        resource["dosage"]["dose"] = mass_quantity(dose, dose_unit(drug_id))
    if device_id is not None:
        resource["device"] = [reference("Device", device_id)]
    if request_id is not None:
        resource["request"] = reference("MedicationRequest", request_id)
    return resource
