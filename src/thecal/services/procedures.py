"""Procedure use cases: put a procedure on record, list a patient's procedures (audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.patient import PatientNotFound
from thecal.domain.procedure import ProcedureKind, ProcedureRecord
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["ListProcedures", "RecordProcedure", "list_procedures", "record_procedure"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordProcedure:
    actor: Actor
    patient_id: str
    kind: ProcedureKind
    performed_on: dt.date
    indication: str
    performer_id: str | None = None  # None: the actor performed it
    source_record_id: str | None = None
    notes: str = ""
    procedure_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProcedures:
    actor: Actor
    patient_id: str


def record_procedure(
    cmd: RecordProcedure, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProcedureRecord:
    """Record a procedure done to a registered patient (a clinical write, audited).

    Raises:
        AccessDenied: the actor may not record procedures.
        PatientNotFound: no such patient.
        ProcedureInvalid: a malformed field, or a day after today.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PROCEDURE_RECORD, subject)
    now = clock.now()
    record = ProcedureRecord(
        id=cmd.procedure_id or str(uuid.uuid4()),
        patient_id=cmd.patient_id,
        kind=cmd.kind,
        performed_on=cmd.performed_on,
        indication=cmd.indication,
        performer_id=cmd.performer_id or cmd.actor.user_id,
        recorded_by=cmd.actor.user_id,
        recorded_at=now,
        source_record_id=cmd.source_record_id,
        notes=cmd.notes,
    )
    record.check_not_after(now.astimezone(dt.UTC).date())
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        uow.procedures.add(record)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROCEDURE_RECORD,
            subject=subject,
            at=now,
            details={
                "procedure_id": record.id,
                "kind": record.kind.value,
                "performed_on": record.performed_on.isoformat(),
                "indication": record.indication,
                "performer_id": record.performer_id,
            },
        )
        replan_visits(uow, record.patient_id)  # the visits its facts ask for
        uow.commit()
    return record


def list_procedures(
    cmd: ListProcedures, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[ProcedureRecord]:
    """A patient's procedures, newest first (an audited PHI read)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PROCEDURE_READ, subject)
    with uow:
        found = uow.procedures.for_patient(cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROCEDURE_READ,
            subject=subject,
            at=clock.now(),
            details={"returned": [p.id for p in found]},
        )
        uow.commit()
    return found
