"""Rows ↔ assessments (``tables/assessments.py``).

Answers and score texts are stored as compact, key-sorted JSON (integers and strings only — never
floats); the report figures are their own columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.domain.assessment import Assessment, KeyFigures
from thecal.domain.instruments import Instrument, Pgic

__all__ = [
    "assessment_from_row",
    "assessment_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def _json(value: Mapping[str, object]) -> str:
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
