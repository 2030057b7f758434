"""The patient repository: get, by MRN, the allow-listed search (SR-22), versioned update."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.patients import patient_from_row, patient_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.patients import patients
from thecal.domain.patient import Patient
from thecal.domain.person_names import search_key
from thecal.services.repositories.patients import PatientQuery, PatientRepository

__all__ = [
    "SqlAlchemyPatientRepository",
]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlAlchemyPatientRepository(PatientRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: Patient) -> None:
        self._session.execute(insert(patients).values(**patient_to_row(aggregate)))

    def _get(self, ident: str) -> Patient | None:
        row = self._session.execute(select(patients).where(patients.c.id == ident)).mappings()
        found = row.one_or_none()
        return patient_from_row(found) if found else None

    def _get_by_mrn(self, mrn: str) -> Patient | None:
        row = self._session.execute(select(patients).where(patients.c.mrn == mrn)).mappings()
        found = row.one_or_none()
        return patient_from_row(found) if found else None

    def _search(self, query: PatientQuery) -> Sequence[Patient]:
        statement = select(patients)
        if query.mrn is not None:
            statement = statement.where(patients.c.mrn == query.mrn)
        if query.family_name_prefix:
            pattern = _escape_like(search_key(query.family_name_prefix)) + "%"
            statement = statement.where(patients.c.family_name_folded.like(pattern, escape="\\"))
        if query.birth_date is not None:
            statement = statement.where(patients.c.birth_date == query.birth_date)
        if query.within is not None:
            statement = statement.where(patients.c.id.in_(sorted(query.within)))
        statement = statement.order_by(
            patients.c.family_name_folded, patients.c.given_names, patients.c.id
        ).limit(query.limit)
        return [patient_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: Patient, *, expected_version: int) -> bool:
        values = patient_to_row(aggregate)
        return versioned_update(self._session, patients, aggregate.id, expected_version, values)
