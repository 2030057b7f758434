"""A patient's pump therapy as the pathway records hold it, read for the FHIR export.

:func:`export_pump_therapy` is the authorized, audited PHI read (``fhir.export``, part
``pump-therapy``) beside ``services.record_export.export_record`` (part: the outcome records). It
reads only through the repository ports: each pump of the patient with its implant record, every
program change, every refill and the patient-bolus log, and the patient's trials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.device_event_record import DeviceEventRecord
from thecal.domain.implant import ImplantRecord
from thecal.domain.program_change import ProgramChange
from thecal.domain.refill import Refill
from thecal.domain.trial import Trial
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import LoggedPatientBolus
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ExportPumpTherapy",
    "PumpHistory",
    "PumpTherapyRecord",
    "export_pump_therapy",
    "read_pump_therapy",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpHistory:
    """One pump with everything done to it: implant, program changes, refills, patient boluses."""

    pump: Pump
    implant: ImplantRecord | None
    changes: Sequence[ProgramChange]
    refills: Sequence[Refill]
    boluses: Sequence[LoggedPatientBolus]
    #: The events of its life recorded on it (replacement, revision, explant, interruption …).
    events: Sequence[DeviceEventRecord] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpTherapyRecord:
    patient_id: str
    pumps: Sequence[PumpHistory]
    trials: Sequence[Trial]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportPumpTherapy:
    actor: Actor
    patient_id: str
    format: str = "fhir-r4"


def read_pump_therapy(uow: AbstractUnitOfWork, patient_id: str) -> PumpTherapyRecord:
    """Read the record inside an open unit of work (no authorization, no audit: the caller's)."""
    pumps = [
        PumpHistory(
            pump=pump,
            implant=uow.implants.get(pump.implant_id),
            changes=uow.program_changes.for_pump(pump.id),
            refills=uow.refills.for_pump(pump.id),
            boluses=uow.device_log.boluses(pump.id),
            events=[e for e in uow.device_events.for_pump(pump.id) if e.pump_id == pump.id],
        )
        for pump in uow.pumps.for_patient(patient_id)
    ]
    trials = sorted(uow.trials.for_patient(patient_id), key=lambda t: t.history[0].at)
    return PumpTherapyRecord(patient_id=patient_id, pumps=pumps, trials=trials)


def export_pump_therapy(
    cmd: ExportPumpTherapy, *, uow: AbstractUnitOfWork, clock: Clock
) -> PumpTherapyRecord:
    """The patient's pump therapy for export (audited as ``fhir.export``).

    Raises:
        AccessDenied: the actor may not export this record.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.FHIR_EXPORT, subject)
    with uow:
        record = read_pump_therapy(uow, cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.FHIR_EXPORT,
            subject=subject,
            at=clock.now(),
            details={
                "format": cmd.format,
                "part": "pump-therapy",
                "pumps": len(record.pumps),
                "program_changes": sum(len(p.changes) for p in record.pumps),
                "refills": sum(len(p.refills) for p in record.pumps),
                "patient_boluses": sum(len(p.boluses) for p in record.pumps),
                "trials": len(record.trials),
            },
        )
        uow.commit()
    return record
