"""Patients → API documents."""

from __future__ import annotations

from thecal.domain.patient import Patient
from thecal.entrypoints.api.schemas.patients import PatientPublic

__all__ = [
    "patient_public",
]


def patient_public(patient: Patient) -> PatientPublic:
    d = patient.demographics
    return PatientPublic(
        id=patient.id,
        mrn=patient.mrn,
        family_name=d.family_name,
        given_names=d.given_names,
        birth_date=d.birth_date,
        sex=d.sex,
        phone=d.contact.phone,
        email=d.contact.email,
        address=d.contact.address,
        registered_at=patient.registered_at,
        version=patient.version,
    )
