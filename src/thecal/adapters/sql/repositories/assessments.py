"""The assessment repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.assessments import assessment_from_row, assessment_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.assessments import assessments
from thecal.domain.assessment import Assessment
from thecal.services.repositories.assessments import AssessmentRepository

__all__ = [
    "SqlAlchemyAssessmentRepository",
]


class SqlAlchemyAssessmentRepository(AssessmentRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: Assessment) -> None:
        self._session.execute(insert(assessments).values(**assessment_to_row(aggregate)))

    def _get(self, ident: str) -> Assessment | None:
        found = (
            self._session.execute(select(assessments).where(assessments.c.id == ident))
            .mappings()
            .one_or_none()
        )
        return assessment_from_row(found) if found else None

    def _for_patient(self, patient_id: str) -> Sequence[Assessment]:
        statement = (
            select(assessments)
            .where(assessments.c.patient_id == patient_id)
            .order_by(assessments.c.assessed_on, assessments.c.recorded_at, assessments.c.id)
        )
        return [assessment_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: Assessment, *, expected_version: int) -> bool:
        values = assessment_to_row(aggregate)
        return versioned_update(self._session, assessments, aggregate.id, expected_version, values)
