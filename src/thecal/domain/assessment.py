"""An assessment on record: one instrument's raw answers, their scores, and when they were given.

The answers are scored by :func:`~thecal.domain.instruments.score_responses` when the assessment is
made (:func:`assess`); the raw answers are kept so a score can always be recomputed and explained.
The figures an outcome report needs are lifted out as typed fields (:class:`KeyFigures`): pain
0–10 (NRS, or the BPI "pain on average" item — the same scale [S110, S116]), ODI percent
[S118, S119], the PGIC category [S114] and the EQ VAS [S120]. Every other score is kept as text in
:attr:`Assessment.scores` (exact decimals, never floats).

An assessment may be linked to a procedure; then ``days_after_procedure`` is the whole days from
the procedure day to the day the answers were given (negative or 0: a baseline; positive: a
follow-up).

Error leaves (``THC-OUT-*``)::

    RequestInvalid
    └── AssessmentInvalid           THC-OUT-010  a field is missing or malformed
    NotFound
    └── AssessmentNotFound          THC-OUT-011  no assessment with that id
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import Enum

from thecal.domain.date_plausibility import RECORDED_DAY, check_date
from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.instruments import (
    BpiScore,
    Eq5d5lScore,
    Instrument,
    InstrumentScore,
    NrsScore,
    OdiScore,
    Pgic,
    PgicScore,
    ScoringRules,
    score_responses,
)
from thecal.domain.procedure import ProcedureOfAnotherPatient, ProcedureRecord

__all__ = [
    "Assessment",
    "AssessmentInvalid",
    "AssessmentNotFound",
    "KeyFigures",
    "assess",
    "key_figures",
    "score_texts",
]


class AssessmentInvalid(RequestInvalid):
    code = "THC-OUT-010"
    template = "invalid assessment {where}: {detail}"


class AssessmentNotFound(NotFound):
    code = "THC-OUT-011"
    template = "assessment {ident} not found"


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyFigures:
    """The scores outcome reports use; ``None`` where the instrument does not give one.

    Attributes:
        pain_nrs: pain 0–10 (NRS pain, or the BPI "pain on average" item).
        odi_percent: ODI 0–100.
        pgic: the PGIC category.
        eq_vas: EQ VAS 0–100.
    """

    pain_nrs: Decimal | None = None
    odi_percent: Decimal | None = None
    pgic: Pgic | None = None
    eq_vas: int | None = None


def key_figures(score: InstrumentScore) -> KeyFigures:
    """The report figures of one instrument's score."""
    match score:
        case NrsScore():
            return KeyFigures(pain_nrs=score.pain)
        case BpiScore():
            return KeyFigures(pain_nrs=score.average_pain)
        case OdiScore():
            return KeyFigures(odi_percent=score.percent)
        case PgicScore():
            return KeyFigures(pgic=score.category)
        case Eq5d5lScore():
            return KeyFigures(eq_vas=None if score.vas is None else int(score.vas))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def score_texts(score: InstrumentScore) -> dict[str, str | None]:
    """Every field of a score as text (exact decimals as written, enums by value)."""
    return {f.name: _text(getattr(score, f.name)) for f in fields(score)}


@dataclass(kw_only=True, eq=False)
class Assessment:
    """One instrument given to a patient (identity: ``id``; ``version`` starts at 1).

    Attributes:
        id: the record's id.
        patient_id: whose answers.
        instrument: which questionnaire.
        answers: the raw answers by item key (``None``: unanswered).
        scores: every score field as text (see :func:`score_texts`).
        figures: the report figures (see :class:`KeyFigures`).
        assessed_on: the day the answers were given.
        procedure_id: the procedure this assessment is about, if any.
        days_after_procedure: ``assessed_on`` − the procedure day, in whole days; set iff linked.
        recorded_by: the user id who put it on record (the patient for a diary entry).
        recorded_at: when it was put on record (timezone-aware).
    """

    id: str
    patient_id: str
    instrument: Instrument
    answers: Mapping[str, int | None]
    scores: Mapping[str, str | None]
    figures: KeyFigures
    assessed_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime
    procedure_id: str | None = None
    days_after_procedure: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.assessed_on, dt.datetime) or not isinstance(self.assessed_on, dt.date):
            raise AssessmentInvalid(where="assessed_on", detail="must be a calendar date")
        if self.recorded_at.utcoffset() is None:
            raise AssessmentInvalid(where="recorded_at", detail="must be timezone-aware")
        if (self.procedure_id is None) != (self.days_after_procedure is None):
            raise AssessmentInvalid(
                where="days_after_procedure", detail="is set exactly when a procedure is linked"
            )
        self.answers = dict(self.answers)  # a private copy: the caller's dict may change
        self.scores = dict(self.scores)

    @property
    def is_baseline(self) -> bool:
        """Linked, and given on or before the procedure day."""
        return self.days_after_procedure is not None and self.days_after_procedure <= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Assessment) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def assess(
    *,
    assessment_id: str,
    patient_id: str,
    instrument: Instrument,
    answers: Mapping[str, int | None],
    assessed_on: dt.date,
    recorded_by: str,
    recorded_at: dt.datetime,
    procedure: ProcedureRecord | None = None,
    rules: ScoringRules | None = None,
) -> Assessment:
    """Score ``answers`` and build the assessment.

    Raises:
        InstrumentInputError: the answers are not valid for the instrument (``THC-PRO-*``).
        AssessmentInvalid: the day is after the recording day, or malformed.
        ProcedureOfAnotherPatient: ``procedure`` is not the patient's.
    """
    if isinstance(assessed_on, dt.datetime) or not isinstance(assessed_on, dt.date):
        raise AssessmentInvalid(where="assessed_on", detail="must be a calendar date")
    if assessed_on > recorded_at.astimezone(dt.UTC).date():
        raise AssessmentInvalid(
            where="assessed_on", detail=f"{assessed_on} is after the recording day"
        )
    check_date(
        "assessed_on", assessed_on, RECORDED_DAY, today=recorded_at.astimezone(dt.UTC).date()
    )
    if procedure is not None and procedure.patient_id != patient_id:
        raise ProcedureOfAnotherPatient(procedure_id=procedure.id, patient_id=patient_id)
    score = score_responses(instrument, answers, rules=rules)
    return Assessment(
        id=assessment_id,
        patient_id=patient_id,
        instrument=instrument,
        answers=answers,
        scores=score_texts(score),
        figures=key_figures(score),
        assessed_on=assessed_on,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        procedure_id=None if procedure is None else procedure.id,
        days_after_procedure=None if procedure is None else procedure.days_until(assessed_on),
    )
