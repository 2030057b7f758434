"""Patient (demographics, MRN as identifier)."""

from __future__ import annotations

from typing import Any

from thecal.domain.patient import Patient

__all__ = ["MRN_SYSTEM", "patient_resource"]

MRN_SYSTEM = "https://thecal.dev/fhir/NamingSystem/mrn"


def patient_resource(patient: Patient) -> dict[str, Any]:
    d = patient.demographics
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.id,
        "identifier": [{"use": "usual", "system": MRN_SYSTEM, "value": patient.mrn}],
        "name": [{"use": "official", "family": d.family_name, "given": d.given_names.split()}],
        "gender": d.sex.value,
        "birthDate": d.birth_date.isoformat(),
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", d.contact.phone), ("email", d.contact.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    if d.contact.address:
        resource["address"] = [{"text": d.contact.address}]
    return resource
