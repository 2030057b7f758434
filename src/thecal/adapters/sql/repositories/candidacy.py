"""The candidacy assessment repository: the assessment row and its child rows, rewritten whole on update."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.candidacy import candidacy_from_rows, candidacy_to_rows
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.candidacy import (
    candidacy_assessments,
    candidacy_contraindications,
    candidacy_medications,
)
from thecal.domain.candidacy import CandidacyAssessment
from thecal.services.repositories.candidacy import CandidacyRepository

__all__ = [
    "SqlAlchemyCandidacyRepository",
]


class SqlAlchemyCandidacyRepository(CandidacyRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _insert_children(self, aggregate: CandidacyAssessment) -> dict[str, Any]:
        main, contraindications, medications = candidacy_to_rows(aggregate)
        if contraindications:
            self._session.execute(insert(candidacy_contraindications), contraindications)
        if medications:
            self._session.execute(insert(candidacy_medications), medications)
        return main

    def _add(self, aggregate: CandidacyAssessment) -> None:
        main, _, _ = candidacy_to_rows(aggregate)
        self._session.execute(insert(candidacy_assessments).values(**main))
        self._insert_children(aggregate)

    def _load(self, rows: Sequence[Any]) -> list[CandidacyAssessment]:
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        contra = self._session.execute(
            select(candidacy_contraindications).where(
                candidacy_contraindications.c.assessment_id.in_(ids)
            )
        ).mappings()
        meds = self._session.execute(
            select(candidacy_medications).where(candidacy_medications.c.assessment_id.in_(ids))
        ).mappings()
        contra_by: dict[str, list[Any]] = {ident: [] for ident in ids}
        meds_by: dict[str, list[Any]] = {ident: [] for ident in ids}
        for row in contra:
            contra_by[row["assessment_id"]].append(row)
        for row in meds:
            meds_by[row["assessment_id"]].append(row)
        return [candidacy_from_rows(row, contra_by[row["id"]], meds_by[row["id"]]) for row in rows]

    def _get(self, ident: str) -> CandidacyAssessment | None:
        rows = (
            self._session.execute(
                select(candidacy_assessments).where(candidacy_assessments.c.id == ident)
            )
            .mappings()
            .all()
        )
        loaded = self._load(rows)
        return loaded[0] if loaded else None

    def _for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]:
        rows = (
            self._session.execute(
                select(candidacy_assessments)
                .where(candidacy_assessments.c.patient_id == patient_id)
                .order_by(candidacy_assessments.c.assessed_at.desc(), candidacy_assessments.c.id)
            )
            .mappings()
            .all()
        )
        return self._load(rows)

    def _update(self, aggregate: CandidacyAssessment, *, expected_version: int) -> bool:
        main, _, _ = candidacy_to_rows(aggregate)
        if not versioned_update(
            self._session, candidacy_assessments, aggregate.id, expected_version, main
        ):
            return False
        for child in (candidacy_contraindications, candidacy_medications):
            self._session.execute(delete(child).where(child.c.assessment_id == aggregate.id))
        self._insert_children(aggregate)
        return True
