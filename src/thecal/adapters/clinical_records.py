"""Procedures and assessments in SQL: row ↔ domain mappers and the SQLAlchemy repositories.

Kept beside (not inside) ``mappers.py``/``repository.py`` so those stay small; the pattern is the
same: explicit conversions, parameterised Core statements, ``_versioned_update`` for optimistic
locking, and no commit. Answers and score texts are stored as compact, key-sorted JSON (integers
and strings only — never floats); the report figures are their own columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update

from thecal.adapters.database import Executor
from thecal.adapters.orm import assessments, procedures
from thecal.domain.assessment import Assessment, KeyFigures
from thecal.domain.instruments import Instrument, Pgic
from thecal.domain.procedure import ProcedureKind, ProcedureRecord
from thecal.services.repositories.assessments import AssessmentRepository
from thecal.services.repositories.procedures import ProcedureRepository

__all__ = [
    "SqlAlchemyAssessmentRepository",
    "SqlAlchemyProcedureRepository",
    "assessment_from_row",
    "assessment_to_row",
    "procedure_from_row",
    "procedure_to_row",
]

Row = Mapping[Any, Any]


def _versioned_update(
    session: Executor, table: Table, ident: str, expected_version: int, values: dict[str, Any]
) -> bool:
    result = session.execute(
        update(table)
        .where(table.c.id == ident, table.c.version == expected_version)
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _json(value: Mapping[str, object]) -> str:
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def procedure_to_row(record: ProcedureRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "patient_id": record.patient_id,
        "kind": record.kind.value,
        "performed_on": record.performed_on,
        "indication": record.indication,
        "performer_id": record.performer_id,
        "recorded_by": record.recorded_by,
        "recorded_at": record.recorded_at,
        "source_record_id": record.source_record_id,
        "notes": record.notes,
        "version": record.version,
    }


def procedure_from_row(row: Row) -> ProcedureRecord:
    return ProcedureRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        kind=ProcedureKind(row["kind"]),
        performed_on=row["performed_on"],
        indication=row["indication"],
        performer_id=row["performer_id"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        source_record_id=row["source_record_id"],
        notes=row["notes"],
        version=row["version"],
    )


def assessment_to_row(record: Assessment) -> dict[str, Any]:
    figures = record.figures
    return {
        "id": record.id,
        "patient_id": record.patient_id,
        "procedure_id": record.procedure_id,
        "instrument": record.instrument.value,
        "assessed_on": record.assessed_on,
        "days_after_procedure": record.days_after_procedure,
        "pain_nrs": figures.pain_nrs,
        "odi_percent": figures.odi_percent,
        "pgic": None if figures.pgic is None else figures.pgic.value,
        "eq_vas": figures.eq_vas,
        "answers_json": _json(record.answers),
        "scores_json": _json(record.scores),
        "recorded_by": record.recorded_by,
        "recorded_at": record.recorded_at,
        "version": record.version,
    }


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def assessment_from_row(row: Row) -> Assessment:
    return Assessment(
        id=row["id"],
        patient_id=row["patient_id"],
        instrument=Instrument.from_code(row["instrument"]),
        answers=json.loads(row["answers_json"]),
        scores=json.loads(row["scores_json"]),
        figures=KeyFigures(
            pain_nrs=_decimal(row["pain_nrs"]),
            odi_percent=_decimal(row["odi_percent"]),
            pgic=None if row["pgic"] is None else Pgic(row["pgic"]),
            eq_vas=row["eq_vas"],
        ),
        assessed_on=row["assessed_on"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        procedure_id=row["procedure_id"],
        days_after_procedure=row["days_after_procedure"],
        version=row["version"],
    )


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
        del values["id"]
        return _versioned_update(self._session, procedures, aggregate.id, expected_version, values)


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
        del values["id"]
        return _versioned_update(self._session, assessments, aggregate.id, expected_version, values)
