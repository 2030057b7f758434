"""Candidacy use cases: record a new assessment, revise one, read one (audited).

The MME is computed here from the medication list with a versioned factor table
(``reference_library().mme_table()``, CDC 2022 unless the command names another); the table id is
stored with the assessment so the number can always be explained.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.candidacy import (
    CandidacyAssessment,
    CandidacyDetails,
    CandidacyNotFound,
    summarise_mme,
)
from thecal.domain.library import reference_library
from thecal.domain.patient import PatientNotFound
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "GetCandidacy",
    "RecordCandidacy",
    "ReviseCandidacy",
    "get_candidacy",
    "record_candidacy",
    "revise_candidacy",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCandidacy:
    actor: Actor
    patient_id: str
    details: CandidacyDetails
    mme_table_id: str | None = None  # None: the library default (CDC 2022)
    assessment_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviseCandidacy:
    actor: Actor
    assessment_id: str
    expected_version: int
    details: CandidacyDetails
    mme_table_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCandidacy:
    actor: Actor
    patient_id: str


def _details_for_audit(assessment: CandidacyAssessment) -> dict[str, object]:
    d = assessment.details
    return {
        "assessment_id": assessment.id,
        "version": assessment.version,
        "indication": d.indication.value,
        "mechanism": d.mechanism.value,
        "breadth": d.breadth.value,
        "total_mme_mg_per_day": str(assessment.mme.total_mg_per_day),
        "mme_table": assessment.mme.table_id,
        "concerns": [c.code for c in assessment.concerns()],
    }


def record_candidacy(
    cmd: RecordCandidacy, *, uow: AbstractUnitOfWork, clock: Clock
) -> CandidacyAssessment:
    """Record a new candidacy assessment for a registered patient.

    Raises:
        AccessDenied, PatientNotFound; UnknownReference for an opioid the MME table lacks.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.CANDIDACY_RECORD, subject)
    mme = summarise_mme(cmd.details.medications, reference_library().mme_table(cmd.mme_table_id))
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        assessment = CandidacyAssessment(
            id=cmd.assessment_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            assessed_at=now,
            assessed_by=cmd.actor.user_id,
            details=cmd.details,
            mme=mme,
        )
        uow.candidacy.add(assessment)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CANDIDACY_RECORD,
            subject=subject,
            at=now,
            details=_details_for_audit(assessment),
        )
        uow.commit()
    return assessment


def revise_candidacy(
    cmd: ReviseCandidacy, *, uow: AbstractUnitOfWork, clock: Clock
) -> CandidacyAssessment:
    """Replace an assessment's content if the caller saw its current version."""
    authorize_function(cmd.actor, Action.CANDIDACY_RECORD)  # before any lookup
    now = clock.now()
    with uow:
        assessment = uow.candidacy.get(cmd.assessment_id)
        if assessment is None:
            raise CandidacyNotFound(ident=cmd.assessment_id)
        subject = Subject.patient(assessment.patient_id)
        authorize(cmd.actor, Action.CANDIDACY_RECORD, subject)
        mme = summarise_mme(
            cmd.details.medications, reference_library().mme_table(cmd.mme_table_id)
        )
        assessment.revise(
            cmd.details, mme, expected_version=cmd.expected_version, at=now, by=cmd.actor.user_id
        )
        uow.candidacy.update(assessment)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CANDIDACY_RECORD,
            subject=subject,
            at=now,
            details=_details_for_audit(assessment),
        )
        uow.commit()
    return assessment


def get_candidacy(
    cmd: GetCandidacy, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[CandidacyAssessment]:
    """A patient's candidacy assessments, newest first (an audited PHI read)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.CANDIDACY_READ, subject)
    with uow:
        found = uow.candidacy.for_patient(cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CANDIDACY_READ,
            subject=subject,
            at=clock.now(),
            details={"returned": [a.id for a in found]},
        )
        uow.commit()
    return found
