"""MedicationRequest: an infusion program as an order.

* The admixture is a contained Medication, one ingredient per component, its strength in the
  drug's dose unit per mL (``mg``/``ug`` over ``mL``).
* The daily dose of **each** component is a dosage of its own, all with ``sequence`` 1 (FHIR:
  dosages with the same sequence apply concurrently), as ``doseAndRate.rateQuantity`` per day in
  UCUM (``mg/d``, ``ug/d``). The primary drug's dose is the program's basal daily dose; every other
  component's follows from its concentration at the pump's flow (``Admixture.doses_at``).
* The patient-activated bolus is a second dosage (``sequence`` 2, ``asNeededBoolean``) with the
  bolus dose and ``maxDosePerPeriod`` = dose × maximum per day per 24 h.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thecal.adapters.fhir.codes import THECAL_DRUG, UCUM, reference
from thecal.adapters.fhir.quantities import dose_unit, hours, mass_quantity, rate_quantity
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import DoseRate, Volume, plain

__all__ = ["component_daily_doses", "medication_request_resource", "medication_resource"]

_ONE_ML = Volume.from_ml(1)


def medication_resource(medication_id: str, admixture: Admixture) -> dict[str, Any]:
    """The admixture as a Medication (contained in the request or the administration)."""
    ingredients = []
    for component in admixture.components:
        unit = dose_unit(component.drug_id)
        per_ml = _ONE_ML * component.concentration  # the drug in 1 mL
        ingredients.append(
            {
                "itemCodeableConcept": {
                    "coding": [{"system": THECAL_DRUG, "code": component.drug_id}],
                    "text": component.drug_id,
                },
                "isActive": True,
                "strength": {
                    "numerator": mass_quantity(per_ml, unit),
                    "denominator": {
                        "value": Decimal(1),
                        "unit": "mL",
                        "system": UCUM,
                        "code": "mL",
                    },
                },
            }
        )
    return {
        "resourceType": "Medication",
        "id": medication_id,
        "code": {"text": admixture.describe()},
        "form": {"text": "intrathecal solution"},
        "ingredient": ingredients,
    }


def component_daily_doses(program: InfusionProgram) -> list[tuple[str, DoseRate]]:
    """Each component's basal daily dose, the primary drug first (its dose as programmed)."""
    daily = program.basal_daily_dose
    admixture = program.admixture
    others = admixture.doses_at(admixture.flow_for(daily)) if daily.value else {}
    return [
        (c.drug_id, daily if i == 0 else others.get(c.drug_id, DoseRate(Decimal(0))))
        for i, c in enumerate(admixture.components)
    ]


def _basal_dosages(program: InfusionProgram) -> list[dict[str, Any]]:
    dosages = []
    for drug_id, rate in component_daily_doses(program):
        unit = dose_unit(drug_id)
        dosages.append(
            {
                "sequence": 1,
                "text": f"{drug_id} {plain(rate.to(unit))} {unit.symbol}/day intrathecal",
                "route": {"text": "intrathecal"},
                "doseAndRate": [{"rateQuantity": rate_quantity(rate, unit)}],
            }
        )
    return dosages


def _bolus_dosage(program: InfusionProgram) -> dict[str, Any] | None:
    bolus = program.patient_bolus
    if bolus is None:
        return None
    unit = dose_unit(program.admixture.primary.drug_id)
    dose = mass_quantity(bolus.dose, unit)
    return {
        "sequence": 2,
        "text": (
            f"patient-activated bolus {plain(dose['value'])} {unit.symbol}, lockout "
            f"{bolus.lockout}, at most {bolus.max_per_day} per day"
        ),
        "asNeededBoolean": True,
        "route": {"text": "intrathecal"},
        "doseAndRate": [{"doseQuantity": dose}],
        "maxDosePerPeriod": {
            "numerator": mass_quantity(bolus.max_daily_amount, unit),
            "denominator": hours(24),
        },
    }


def medication_request_resource(
    *,
    request_id: str,
    patient_id: str,
    program: InfusionProgram,
    authored_on: str,
    requester_id: str,
    status: str = "active",
    prior_request_id: str | None = None,
) -> dict[str, Any]:
    """The program as an order; ``status`` ``stopped`` once a later program replaced it."""
    dosages = _basal_dosages(program)
    bolus = _bolus_dosage(program)
    if bolus is not None:
        dosages.append(bolus)
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": request_id,
        "status": status,
        "intent": "order",
        "contained": [medication_resource("admixture", program.admixture)],
        "medicationReference": {"reference": "#admixture"},
        "subject": reference("Patient", patient_id),
        "authoredOn": authored_on,
        "requester": {"identifier": {"value": requester_id}},
        "dosageInstruction": dosages,
    }
    if prior_request_id is not None:
        resource["priorPrescription"] = reference("MedicationRequest", prior_request_id)
    return resource
