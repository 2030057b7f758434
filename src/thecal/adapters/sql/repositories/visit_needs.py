"""The visit-need repository: a patient's needs are replaced as a set when re-planned."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.visit_needs import need_from_row, need_to_row
from thecal.adapters.sql.tables.patients import patients
from thecal.adapters.sql.tables.visit_needs import visit_needs
from thecal.domain.scheduling import VisitNeed
from thecal.services.repositories.visit_needs import VisitNeedRepository

__all__ = ["SqlAlchemyVisitNeedRepository"]


class SqlAlchemyVisitNeedRepository(VisitNeedRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def for_patient(self, patient_id: str) -> Sequence[VisitNeed]:
        statement = (
            select(visit_needs)
            .where(visit_needs.c.patient_id == patient_id)
            .order_by(visit_needs.c.latest, visit_needs.c.id)
        )
        return [need_from_row(r) for r in self._s.execute(statement).mappings()]

    def patients(self) -> Sequence[str]:
        return [str(r.id) for r in self._s.execute(select(patients.c.id).order_by(patients.c.id))]

    def replace_for_patient(self, patient_id: str, needs: Sequence[VisitNeed]) -> None:
        stored = {n.id: n for n in self.for_patient(patient_id)}
        wanted = {n.id: n for n in needs}
        gone = [ident for ident in stored if ident not in wanted]
        if gone:
            self._s.execute(delete(visit_needs).where(visit_needs.c.id.in_(gone)))
        for ident, need in wanted.items():
            if ident not in stored:
                self._s.execute(insert(visit_needs).values(**need_to_row(need)))
            elif stored[ident] != need:
                values = {k: v for k, v in need_to_row(need).items() if k != "id"}
                self._s.execute(
                    update(visit_needs).where(visit_needs.c.id == ident).values(**values)
                )

    def get(self, need_id: str) -> VisitNeed | None:
        row = (
            self._s.execute(select(visit_needs).where(visit_needs.c.id == need_id))
            .mappings()
            .first()
        )
        return need_from_row(row) if row else None
