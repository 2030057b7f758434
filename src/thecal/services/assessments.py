"""Assessment use cases: record an instrument's answers (scored), list a patient's assessments.

A clinician may record for any patient; a patient user only for themselves (their pain diary and
questionnaires) — the policy table says so (``assessment.record``: patient OWN). The answers are
scored here with :func:`~thecal.domain.instruments.score_responses`; a refused answer raises its
``THC-PRO-*`` error before anything is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from thecal.domain.assessment import Assessment, assess
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.instruments import Instrument, ScoringRules
from thecal.domain.patient import PatientNotFound
from thecal.domain.procedure import ProcedureNotFound
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["ListAssessments", "RecordAssessment", "list_assessments", "record_assessment"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordAssessment:
    actor: Actor
    patient_id: str
    instrument: Instrument
    answers: Mapping[str, int | None]
    assessed_on: dt.date
    procedure_id: str | None = None
    rules: ScoringRules = field(default_factory=ScoringRules)
    assessment_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAssessments:
    actor: Actor
    patient_id: str


def record_assessment(
    cmd: RecordAssessment, *, uow: AbstractUnitOfWork, clock: Clock
) -> Assessment:
    """Score and record one instrument's answers (a clinical write, audited).

    Raises:
        AccessDenied: the actor may not record for this patient.
        PatientNotFound, ProcedureNotFound: an unknown patient or procedure.
        ProcedureOfAnotherPatient: the linked procedure is not this patient's.
        InstrumentInputError: the answers do not fit the instrument (``THC-PRO-*``).
        AssessmentInvalid: a day after today.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.ASSESSMENT_RECORD, subject)
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        procedure = None
        if cmd.procedure_id is not None:
            procedure = uow.procedures.get(cmd.procedure_id)
            if procedure is None:
                raise ProcedureNotFound(ident=cmd.procedure_id)
        record = assess(
            assessment_id=cmd.assessment_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            instrument=cmd.instrument,
            answers=cmd.answers,
            assessed_on=cmd.assessed_on,
            recorded_by=cmd.actor.user_id,
            recorded_at=now,
            procedure=procedure,
            rules=cmd.rules,
        )
        uow.assessments.add(record)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.ASSESSMENT_RECORD,
            subject=subject,
            at=now,
            details={
                "assessment_id": record.id,
                "instrument": record.instrument.value,
                "assessed_on": record.assessed_on.isoformat(),
                "procedure_id": record.procedure_id,
                "days_after_procedure": record.days_after_procedure,
                "scores": dict(record.scores),
            },
        )
        uow.commit()
    return record


def list_assessments(
    cmd: ListAssessments, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[Assessment]:
    """A patient's assessments, oldest first (an audited PHI read)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.ASSESSMENT_READ, subject)
    with uow:
        found = uow.assessments.for_patient(cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.ASSESSMENT_READ,
            subject=subject,
            at=clock.now(),
            details={"returned": [a.id for a in found]},
        )
        uow.commit()
    return found
