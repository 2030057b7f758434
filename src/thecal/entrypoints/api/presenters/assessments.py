"""Assessments → API documents."""

from __future__ import annotations

from thecal.domain.assessment import Assessment
from thecal.domain.units import plain
from thecal.entrypoints.api.schemas.assessments import AssessmentPublic

__all__ = [
    "assessment_public",
]


def assessment_public(a: Assessment) -> AssessmentPublic:
    f = a.figures
    return AssessmentPublic(
        id=a.id,
        patient_id=a.patient_id,
        instrument=a.instrument,
        answers=dict(a.answers),
        scores=dict(a.scores),
        pain_nrs=None if f.pain_nrs is None else plain(f.pain_nrs),
        odi_percent=None if f.odi_percent is None else plain(f.odi_percent),
        pgic=None if f.pgic is None else f.pgic.value,
        eq_vas=f.eq_vas,
        assessed_on=a.assessed_on,
        procedure_id=a.procedure_id,
        days_after_procedure=a.days_after_procedure,
        recorded_by=a.recorded_by,
        recorded_at=a.recorded_at,
        version=a.version,
    )
