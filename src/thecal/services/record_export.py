"""Export a patient's record (for FHIR): an authorized, audited PHI read of everything on file.

Returns the patient with their procedures and assessments; the FHIR mapping is the adapters' job
(``adapters/fhir/``). A patient user may export their own record; a physician any record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.assessment import Assessment
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.patient import Patient, PatientNotFound
from thecal.domain.procedure import ProcedureRecord
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["ExportRecord", "PatientRecord", "export_record"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportRecord:
    actor: Actor
    patient_id: str
    format: str = "fhir-r4"


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    patient: Patient
    procedures: Sequence[ProcedureRecord]
    assessments: Sequence[Assessment]


def export_record(cmd: ExportRecord, *, uow: AbstractUnitOfWork, clock: Clock) -> PatientRecord:
    """Everything on file for one patient (audited as ``fhir.export``).

    Raises:
        AccessDenied: the actor may not export this record.
        PatientNotFound: no such patient.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.FHIR_EXPORT, subject)
    with uow:
        patient = uow.patients.get(cmd.patient_id)
        if patient is None:
            raise PatientNotFound(ident=cmd.patient_id)
        record = PatientRecord(
            patient=patient,
            procedures=uow.procedures.for_patient(cmd.patient_id),
            assessments=uow.assessments.for_patient(cmd.patient_id),
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.FHIR_EXPORT,
            subject=subject,
            at=clock.now(),
            details={
                "format": cmd.format,
                "procedures": len(record.procedures),
                "assessments": len(record.assessments),
            },
        )
        uow.commit()
    return record
