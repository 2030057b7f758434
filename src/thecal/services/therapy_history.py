"""A patient's pump therapy for the timeline: pumps, program changes, refills, pump alarms,
procedures and assessments — each part only if the policy lets the reader see it, each part
read an audited PHI read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.assessment import Assessment
from thecal.domain.authorization import Action, Subject, is_allowed
from thecal.domain.procedure import ProcedureRecord
from thecal.domain.program_change import ProgramChange
from thecal.domain.refill import Refill
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import LoggedDeviceEvent
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["GetTherapyHistory", "PumpHistory", "TherapyHistory", "get_therapy_history"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetTherapyHistory:
    actor: Actor
    patient_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpHistory:
    pump: Pump
    changes: tuple[ProgramChange, ...]  # empty when the reader may not read programs
    refills: tuple[Refill, ...]
    alarms: tuple[LoggedDeviceEvent, ...]  # logged events with an alarm priority


@dataclass(frozen=True, slots=True, kw_only=True)
class TherapyHistory:
    pumps: tuple[PumpHistory, ...]
    procedures: tuple[ProcedureRecord, ...]
    assessments: tuple[Assessment, ...]


def get_therapy_history(
    cmd: GetTherapyHistory, *, uow: AbstractUnitOfWork, clock: Clock
) -> TherapyHistory:
    """What the reader may see of a patient's therapy (nothing they may not; never an error).

    The patient page itself is authorized by ``get_patient``; here each part is included only if
    ``is_allowed`` and then audited as that read.
    """
    subject = Subject.patient(cmd.patient_id)
    now = clock.now()

    def may(action: Action) -> bool:
        return is_allowed(cmd.actor, action, subject)

    with uow:
        programs = may(Action.PROGRAM_READ)
        pumps = [
            PumpHistory(
                pump=pump,
                changes=tuple(uow.program_changes.for_pump(pump.id)) if programs else (),
                refills=tuple(uow.refills.for_pump(pump.id)) if programs else (),
                alarms=tuple(e for e in uow.device_log.events(pump.id) if e.priority is not None),
            )
            for pump in (uow.pumps.for_patient(cmd.patient_id) if may(Action.PUMP_READ) else ())
        ]
        procedures: Sequence[ProcedureRecord] = (
            uow.procedures.for_patient(cmd.patient_id) if may(Action.PROCEDURE_READ) else ()
        )
        assessments: Sequence[Assessment] = (
            uow.assessments.for_patient(cmd.patient_id) if may(Action.ASSESSMENT_READ) else ()
        )
        reads = {
            Action.PUMP_READ: [p.pump.id for p in pumps],
            Action.PROGRAM_READ: [c.change_id for p in pumps for c in p.changes],
            Action.PROCEDURE_READ: [p.id for p in procedures],
            Action.ASSESSMENT_READ: [a.id for a in assessments],
        }
        for action, returned in reads.items():
            if returned:
                uow.audit.record(
                    actor=cmd.actor,
                    action=action,
                    subject=subject,
                    at=now,
                    details={"returned": returned, "via": "patient timeline"},
                )
        uow.commit()
    return TherapyHistory(
        pumps=tuple(pumps), procedures=tuple(procedures), assessments=tuple(assessments)
    )
