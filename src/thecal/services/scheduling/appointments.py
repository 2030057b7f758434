"""Visit use cases: book, move, cancel, record attended or no-show; read a day, a week, a patient.

Booking checks, in order: the policy (``appointment.book``), the patient, the clinician (active,
of a role the visit type takes), the room (of the visit type's place), the clinician's
availability (working hours, closures, public holidays), then the slots — a read for a clear
message naming who is booked, and the database's unique slot key as the final word between
concurrent bookings (``SlotTaken``, 409). The reminders are scheduled and the patient's visit
needs re-planned in the same transaction; every step is audited.

A move books the new visit and marks the old one ``rescheduled`` (it gives its slots back
first, so a visit can move by a quarter hour into its own old slots).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.patient import PatientNotFound
from thecal.domain.scheduling import (
    Appointment,
    AppointmentInvalid,
    AppointmentNotFound,
    PurposeKind,
    SlotTaken,
    VisitPurpose,
    VisitType,
    VisitTypeSpec,
)
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.scheduling.availability import availability_of
from thecal.services.scheduling.planning import replan_visits
from thecal.services.scheduling.reminders import schedule_reminders, skip_reminders
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_RANGE_DAYS",
    "BookAppointment",
    "CancelAppointment",
    "DayEntry",
    "GetAppointment",
    "ListAppointments",
    "PatientAppointments",
    "RecordVisitOutcome",
    "RescheduleAppointment",
    "VisitOutcome",
    "book_appointment",
    "cancel_appointment",
    "get_appointment",
    "list_appointments",
    "patient_appointments",
    "record_visit_outcome",
    "reschedule_appointment",
    "window_opens",
]

MAX_RANGE_DAYS = 31


@dataclass(frozen=True, slots=True, kw_only=True)
class BookAppointment:
    actor: Actor
    patient_id: str
    visit_type: VisitType
    purpose: VisitPurpose
    clinician_id: str
    room_id: str
    starts_at: dt.datetime
    setup: ClinicSetup = field(default_factory=ClinicSetup)
    note: str = ""
    baclofen_screening: bool = False  # a trial day observes 8 h instead of the opioid period
    appointment_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RescheduleAppointment:
    actor: Actor
    appointment_id: str
    starts_at: dt.datetime
    clinician_id: str | None = None  # None: the same clinician
    room_id: str | None = None  # None: the same room
    expected_version: int | None = None
    setup: ClinicSetup = field(default_factory=ClinicSetup)
    new_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelAppointment:
    actor: Actor
    appointment_id: str
    reason: str
    expected_version: int | None = None
    setup: ClinicSetup = field(default_factory=ClinicSetup)


class VisitOutcome:
    ATTENDED = "attended"
    NO_SHOW = "no-show"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVisitOutcome:
    actor: Actor
    appointment_id: str
    outcome: str  # VisitOutcome.ATTENDED or NO_SHOW
    expected_version: int | None = None
    setup: ClinicSetup = field(default_factory=ClinicSetup)

    def __post_init__(self) -> None:
        if self.outcome not in {VisitOutcome.ATTENDED, VisitOutcome.NO_SHOW}:
            raise AppointmentInvalid(where="outcome", detail="attended or no-show")


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAppointments:
    actor: Actor
    start: dt.datetime
    end: dt.datetime
    clinician_id: str | None = None

    def __post_init__(self) -> None:
        if not dt.timedelta(0) < self.end - self.start <= dt.timedelta(days=MAX_RANGE_DAYS):
            raise AppointmentInvalid(
                where="range",
                detail=f"the end must be after the start, at most {MAX_RANGE_DAYS} days",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientAppointments:
    actor: Actor
    patient_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DayEntry:
    """A visit with the names a day view shows."""

    appointment: Appointment
    patient: str  # "Family, Given"
    mrn: str
    clinician: str
    room: str


def _details(a: Appointment) -> dict[str, object]:
    return {
        "appointment_id": a.id,
        "visit_type": a.visit_type.value,
        "purpose": a.purpose.kind.value,
        "purpose_ref": a.purpose.ref,
        "time_point": a.purpose.time_point,
        "clinician_id": a.clinician_id,
        "room_id": a.room_id,
        "starts_at": a.starts_at.isoformat(),
        "state": a.state.value,
        "version": a.version,
    }


def _place(
    uow: AbstractUnitOfWork,
    *,
    actor: Actor,
    appointment_id: str,
    patient_id: str,
    spec: VisitTypeSpec,
    purpose: VisitPurpose,
    clinician_id: str,
    room_id: str,
    starts_at: dt.datetime,
    setup: ClinicSetup,
    now: dt.datetime,
    note: str = "",
    replaces: str | None = None,
) -> Appointment:
    """Check and store one new visit (see the module docstring), with its reminders."""
    visit_type = spec.type
    clinician = uow.users.get(clinician_id)
    if clinician is None or not clinician.active or clinician.role not in spec.clinician_roles:
        roles = " or ".join(sorted(r.value for r in spec.clinician_roles))
        raise AppointmentInvalid(
            where="clinician",
            detail=f"{clinician_id} is not an active {roles} ({visit_type.label})",
        )
    room = next((r for r in uow.calendars.rooms() if r.id == room_id), None)
    if room is None or room.location is not spec.location:
        raise AppointmentInvalid(
            where="room",
            detail=f"{room_id} is not a {spec.location.value} room ({visit_type.label})",
        )
    appointment = Appointment.book(
        appointment_id=appointment_id,
        patient_id=patient_id,
        spec=spec,
        purpose=purpose,
        clinician_id=clinician_id,
        room_id=room_id,
        starts_at=starts_at,
        actor=actor,
        at=now,
        note=note,
        replaces=replaces,
    )
    day = setup.local_day(appointment.starts_at)
    availability_of(uow, setup, clinician, first=day, last=day).check(
        appointment.starts_at, appointment.clinician_ends_at
    )
    taken = uow.appointments.busy(
        [f"clinician:{clinician.id}", f"room:{room.id}"], appointment.starts_at, appointment.ends_at
    )
    wanted = set(appointment.slots())
    for (resource, at), _other in sorted(taken.items()):
        if (resource, at) in wanted:
            who = clinician.display_name if resource.startswith("clinician:") else room.name
            raise SlotTaken(resource=who, at=at.isoformat())
    uow.appointments.add(appointment)  # the unique slot key decides a race
    schedule_reminders(uow, appointment, now=now, not_before=window_opens(uow, setup, purpose))
    return appointment


def window_opens(
    uow: AbstractUnitOfWork, setup: ClinicSetup, purpose: VisitPurpose
) -> dt.datetime | None:
    """When a follow-up's window opens (its procedure day + the time point's first day): its
    questionnaires count for the outcome report only from then. None for other visits."""
    if purpose.kind is not PurposeKind.FOLLOW_UP or purpose.ref is None:
        return None
    procedure = uow.procedures.get(purpose.ref)
    point = setup.time_point(purpose.time_point or "")
    if procedure is None or point is None:
        return None
    day = procedure.performed_on + dt.timedelta(days=point.first_day)
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def book_appointment(cmd: BookAppointment, *, uow: AbstractUnitOfWork, clock: Clock) -> Appointment:
    """Book a visit (see the module docstring).

    Raises:
        AccessDenied; PatientNotFound; AppointmentInvalid (clinician, room, start, note);
        NotOnSlotBoundary; ClinicianUnavailable; SlotTaken.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.APPOINTMENT_BOOK, subject)
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        appointment = _place(
            uow,
            actor=cmd.actor,
            appointment_id=cmd.appointment_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            spec=cmd.setup.spec(cmd.visit_type, baclofen_screening=cmd.baclofen_screening),
            purpose=cmd.purpose,
            clinician_id=cmd.clinician_id,
            room_id=cmd.room_id,
            starts_at=cmd.starts_at,
            setup=cmd.setup,
            now=now,
            note=cmd.note,
        )
        replan_visits(
            uow, cmd.patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.APPOINTMENT_BOOK,
            subject=subject,
            at=now,
            details={"step": "book", **_details(appointment)},
        )
        uow.commit()
    return appointment


def _load(uow: AbstractUnitOfWork, actor: Actor, ident: str, expected: int | None) -> Appointment:
    appointment = uow.appointments.get(ident)
    if appointment is None:
        raise AppointmentNotFound(ident=ident)
    authorize(actor, Action.APPOINTMENT_BOOK, Subject.patient(appointment.patient_id))
    appointment.check_version(expected)
    return appointment


def _same_length(spec: VisitTypeSpec, old: Appointment) -> VisitTypeSpec:
    """A moved visit keeps its length (a baclofen screening day keeps its shorter observation)."""
    return replace(
        spec,
        duration=old.ends_at - old.starts_at,
        clinician_time=old.clinician_ends_at - old.starts_at,
    )


def reschedule_appointment(
    cmd: RescheduleAppointment, *, uow: AbstractUnitOfWork, clock: Clock
) -> Appointment:
    """Move a booked visit: the new one is booked, the old one marked rescheduled (one step).

    Raises:
        AccessDenied; AppointmentNotFound; StaleAppointmentVersion; AppointmentStateError;
        and everything booking raises.
    """
    authorize_function(cmd.actor, Action.APPOINTMENT_BOOK)
    now = clock.now()
    new_id = cmd.new_id or str(uuid.uuid4())
    with uow:
        old = _load(uow, cmd.actor, cmd.appointment_id, cmd.expected_version)
        old.reschedule(actor=cmd.actor, at=now, replaced_by=new_id)
        uow.appointments.update(old)  # gives its slots back before the new visit takes any
        skip_reminders(uow, old, reason="the visit was moved")
        new = _place(
            uow,
            actor=cmd.actor,
            appointment_id=new_id,
            patient_id=old.patient_id,
            spec=_same_length(cmd.setup.spec(old.visit_type), old),
            purpose=old.purpose,
            clinician_id=cmd.clinician_id or old.clinician_id,
            room_id=cmd.room_id or old.room_id,
            starts_at=cmd.starts_at,
            setup=cmd.setup,
            now=now,
            note=old.note,
            replaces=old.id,
        )
        replan_visits(
            uow, old.patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.APPOINTMENT_BOOK,
            subject=Subject.patient(old.patient_id),
            at=now,
            details={"step": "reschedule", "from": _details(old), **_details(new)},
        )
        uow.commit()
    return new


def cancel_appointment(
    cmd: CancelAppointment, *, uow: AbstractUnitOfWork, clock: Clock
) -> Appointment:
    """Cancel a booked visit before it starts, with a reason; its slots are free again."""
    authorize_function(cmd.actor, Action.APPOINTMENT_BOOK)
    now = clock.now()
    with uow:
        appointment = _load(uow, cmd.actor, cmd.appointment_id, cmd.expected_version)
        appointment.cancel(actor=cmd.actor, at=now, reason=cmd.reason)
        uow.appointments.update(appointment)
        skip_reminders(uow, appointment, reason="the visit was cancelled")
        replan_visits(
            uow, appointment.patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.APPOINTMENT_BOOK,
            subject=Subject.patient(appointment.patient_id),
            at=now,
            details={"step": "cancel", "reason": appointment.reason, **_details(appointment)},
        )
        uow.commit()
    return appointment


def record_visit_outcome(
    cmd: RecordVisitOutcome, *, uow: AbstractUnitOfWork, clock: Clock
) -> Appointment:
    """The patient came (attended) or did not (no-show)."""
    authorize_function(cmd.actor, Action.APPOINTMENT_BOOK)
    now = clock.now()
    with uow:
        appointment = _load(uow, cmd.actor, cmd.appointment_id, cmd.expected_version)
        if cmd.outcome == VisitOutcome.ATTENDED:
            appointment.attend(actor=cmd.actor, at=now)
        else:
            appointment.no_show(actor=cmd.actor, at=now)
        uow.appointments.update(appointment)
        skip_reminders(uow, appointment, reason=f"the visit is {appointment.state.value}")
        replan_visits(
            uow, appointment.patient_id, policy=cmd.setup.policy, time_points=cmd.setup.time_points
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.APPOINTMENT_BOOK,
            subject=Subject.patient(appointment.patient_id),
            at=now,
            details={"step": cmd.outcome, **_details(appointment)},
        )
        uow.commit()
    return appointment


def list_appointments(
    cmd: ListAppointments, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[DayEntry]:
    """Visits starting in ``[start, end)`` with patient, clinician and room names (audited)."""
    subject = Subject.collection("appointments")
    authorize(cmd.actor, Action.APPOINTMENT_READ, subject)
    with uow:
        found = uow.appointments.between(cmd.start, cmd.end, clinician_id=cmd.clinician_id)
        rooms = {r.id: r.name for r in uow.calendars.rooms()}
        entries: list[DayEntry] = []
        for a in found:
            patient = uow.patients.get(a.patient_id)
            clinician = uow.users.get(a.clinician_id)
            entries.append(
                DayEntry(
                    appointment=a,
                    patient=patient.display_name if patient else a.patient_id,
                    mrn=patient.mrn if patient else "",
                    clinician=clinician.display_name if clinician else a.clinician_id,
                    room=rooms.get(a.room_id, a.room_id),
                )
            )
    uow.audit_read(
        actor=cmd.actor,
        action=Action.APPOINTMENT_READ,
        subject=subject,
        at=clock.now(),
        details={
            "start": cmd.start.isoformat(),
            "end": cmd.end.isoformat(),
            "clinician_id": cmd.clinician_id,
            "patients": sorted({e.appointment.patient_id for e in entries}),
        },
    )
    return entries


def patient_appointments(
    cmd: PatientAppointments, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[Appointment]:
    """One patient's visits, by start (a patient user: their own only)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.APPOINTMENT_READ, subject)
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        found = uow.appointments.for_patient(cmd.patient_id)
    uow.audit_read(
        actor=cmd.actor,
        action=Action.APPOINTMENT_READ,
        subject=subject,
        at=clock.now(),
        details={"returned": [a.id for a in found]},
    )
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class GetAppointment:
    actor: Actor
    appointment_id: str


def get_appointment(cmd: GetAppointment, *, uow: AbstractUnitOfWork, clock: Clock) -> Appointment:
    """One visit (a patient: their own), an audited read."""
    authorize_function(cmd.actor, Action.APPOINTMENT_READ)
    with uow:
        found = uow.appointments.get(cmd.appointment_id)
        if found is None:
            raise AppointmentNotFound(ident=cmd.appointment_id)
    subject = Subject.patient(found.patient_id)
    authorize(cmd.actor, Action.APPOINTMENT_READ, subject)
    uow.audit_read(
        actor=cmd.actor, action=Action.APPOINTMENT_READ, subject=subject, at=clock.now(),
        details={"appointment_id": found.id},
    )  # fmt: skip
    return found
