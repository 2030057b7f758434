"""The procedure record repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.procedures import procedure_from_row, procedure_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.procedures import procedures
from thecal.domain.procedure import ProcedureRecord
from thecal.services.repositories.procedures import ProcedureRepository

__all__ = [
    "SqlAlchemyProcedureRepository",
]


class SqlAlchemyProcedureRepository(ProcedureRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: ProcedureRecord) -> None:
        self._session.execute(insert(procedures).values(**procedure_to_row(aggregate)))

    def _get(self, ident: str) -> ProcedureRecord | None:
        found = (
            self._session.execute(select(procedures).where(procedures.c.id == ident))
            .mappings()
            .one_or_none()
        )
        return procedure_from_row(found) if found else None

    def _for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]:
        statement = (
            select(procedures)
            .where(procedures.c.patient_id == patient_id)
            .order_by(procedures.c.performed_on.desc(), procedures.c.id)
        )
        return [procedure_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: ProcedureRecord, *, expected_version: int) -> bool:
        values = procedure_to_row(aggregate)
        return versioned_update(self._session, procedures, aggregate.id, expected_version, values)
