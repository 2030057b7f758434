"""Reads for the FHIR export: a patient's visits and accepted referrals (``fhir.export``, as the
rest of the record), and the clinicians' booked time for Schedule/Slot (``calendar.read``: no
patient in a Slot). Both audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.patient import PatientNotFound
from thecal.domain.scheduling import Appointment, AppointmentState, Referral, ReferralState
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ClinicianSchedule",
    "ExportSchedules",
    "ExportVisits",
    "VisitRecord",
    "export_schedules",
    "export_visits",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportVisits:
    actor: Actor
    patient_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitRecord:
    appointments: tuple[Appointment, ...]
    referrals: tuple[tuple[Referral, bool], ...]  # (accepted referral, its consultation attended)


def export_visits(cmd: ExportVisits, *, uow: AbstractUnitOfWork, clock: Clock) -> VisitRecord:
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.FHIR_EXPORT, subject)
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        visits = tuple(uow.appointments.for_patient(cmd.patient_id))
        accepted = [
            r
            for r in uow.referrals.for_patient(cmd.patient_id)
            if r.state is ReferralState.ACCEPTED
        ]
    consulted = {
        a.purpose.ref for a in visits if a.state is AppointmentState.ATTENDED and a.purpose.ref
    }
    uow.audit_read(
        actor=cmd.actor,
        action=Action.FHIR_EXPORT,
        subject=subject,
        at=clock.now(),
        details={
            "part": "visits",
            "appointments": [a.id for a in visits],
            "referrals": [r.id for r in accepted],
        },
    )
    return VisitRecord(
        appointments=visits, referrals=tuple((r, r.id in consulted) for r in accepted)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportSchedules:
    actor: Actor
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicianSchedule:
    clinician_id: str
    clinician: str
    visits: tuple[Appointment, ...]


def export_schedules(
    cmd: ExportSchedules, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[ClinicianSchedule]:
    """Every clinician with working hours and the visits they keep in ``[start, end)``."""
    subject = Subject.collection("calendars")
    authorize(cmd.actor, Action.CALENDAR_READ, subject)
    with uow:
        found: list[ClinicianSchedule] = []
        for user_id in uow.calendars.scheduled_users():
            user = uow.users.get(user_id)
            found.append(
                ClinicianSchedule(
                    clinician_id=user_id,
                    clinician=user.display_name if user else user_id,
                    visits=tuple(
                        uow.appointments.between(cmd.start, cmd.end, clinician_id=user_id)
                    ),
                )
            )
    uow.audit_read(
        actor=cmd.actor,
        action=Action.CALENDAR_READ,
        subject=subject,
        at=clock.now(),
        details={"part": "schedules", "start": cmd.start.isoformat(), "end": cmd.end.isoformat()},
    )
    return found
