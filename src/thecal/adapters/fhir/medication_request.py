"""MedicationRequest: the infusion program as an order.

The admixture is a contained Medication with one ingredient per component (strength in mcg/mL),
the basal daily dose of the primary drug is the dosage's ``doseAndRate.rateQuantity`` (mcg/d), and
the patient-activated bolus limits become a second dosage with ``asNeededBoolean`` and
``maxDosePerPeriod`` (bolus dose × maximum per day, per 1 day).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thecal.adapters.fhir.codes import THECAL_DRUG, UCUM, reference
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram

__all__ = ["medication_request_resource", "medication_resource"]


def _mcg(value: Decimal) -> dict[str, Any]:
    return {"value": value, "unit": "mcg", "system": UCUM, "code": "ug"}


def medication_resource(medication_id: str, admixture: Admixture) -> dict[str, Any]:
    """The admixture as a Medication (contained in the request or the administration)."""
    return {
        "resourceType": "Medication",
        "id": medication_id,
        "code": {"text": admixture.describe()},
        "form": {"text": "intrathecal solution"},
        "ingredient": [
            {
                "itemCodeableConcept": {
                    "coding": [{"system": THECAL_DRUG, "code": component.drug_id}],
                    "text": component.drug_id,
                },
                "isActive": True,
                "strength": {
                    "numerator": _mcg(component.concentration.mcg_per_ml),
                    "denominator": {
                        "value": Decimal(1),
                        "unit": "mL",
                        "system": UCUM,
                        "code": "mL",
                    },
                },
            }
            for component in admixture.components
        ],
    }


def medication_request_resource(
    *,
    request_id: str,
    patient_id: str,
    program: InfusionProgram,
    authored_on: str,
    requester_id: str,
) -> dict[str, Any]:
    daily = program.basal_daily_dose
    dosages: list[dict[str, Any]] = [
        {
            "sequence": 1,
            "text": f"{program.admixture.primary.drug_id} {daily.mcg_per_day} mcg/day intrathecal",
            "route": {"text": "intrathecal"},
            "doseAndRate": [
                {
                    "rateQuantity": {
                        "value": daily.mcg_per_day,
                        "unit": "mcg/d",
                        "system": UCUM,
                        "code": "ug/d",
                    }
                }
            ],
        }
    ]
    bolus = program.patient_bolus
    if bolus is not None:
        dosages.append(
            {
                "sequence": 2,
                "text": (
                    f"patient-activated bolus {bolus.dose.mcg} mcg, lockout {bolus.lockout}, "
                    f"at most {bolus.max_per_day} per day"
                ),
                "asNeededBoolean": True,
                "route": {"text": "intrathecal"},
                "doseAndRate": [{"doseQuantity": _mcg(bolus.dose.mcg)}],
                "maxDosePerPeriod": {
                    "numerator": _mcg(bolus.dose.mcg * bolus.max_per_day),
                    "denominator": {"value": Decimal(1), "unit": "d", "system": UCUM, "code": "d"},
                },
            }
        )
    return {
        "resourceType": "MedicationRequest",
        "id": request_id,
        "status": "active",
        "intent": "order",
        "contained": [medication_resource("admixture", program.admixture)],
        "medicationReference": {"reference": "#admixture"},
        "subject": reference("Patient", patient_id),
        "authoredOn": authored_on,
        "requester": {"identifier": {"value": requester_id}},
        "dosageInstruction": dosages,
    }
