"""Rows ↔ the ``Patient`` aggregate (``tables/patients.py``). Explicit, no ORM instrumentation.

Each aggregate's mapper module has a ``<name>_to_row`` (a dict of column values, without
``version`` semantics beyond copying it) and a ``<name>_from_row`` (from a ``RowMapping``).
Units are decided in the mappers: a :class:`~thecal.domain.units.DoseRate` becomes
``daily_dose_mcg_per_day`` and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.patient import Contact, Demographics, Patient, Sex
from thecal.domain.person_names import search_key

__all__ = [
    "patient_from_row",
    "patient_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def patient_to_row(patient: Patient) -> dict[str, Any]:
    d = patient.demographics
    return {
        "id": patient.id,
        "mrn": patient.mrn,
        "family_name": d.family_name,
        "family_name_folded": search_key(d.family_name),
        "given_names": d.given_names,
        "birth_date": d.birth_date,
        "sex": d.sex.value,
        "phone": d.contact.phone,
        "email": d.contact.email,
        "address": d.contact.address,
        "registered_at": patient.registered_at,
        "version": patient.version,
    }


def patient_from_row(row: Row) -> Patient:
    return Patient(
        id=row["id"],
        mrn=row["mrn"],
        demographics=Demographics(
            family_name=row["family_name"],
            given_names=row["given_names"],
            birth_date=row["birth_date"],
            sex=Sex(row["sex"]),
            contact=Contact(phone=row["phone"], email=row["email"], address=row["address"]),
        ),
        registered_at=row["registered_at"],
        version=row["version"],
    )
