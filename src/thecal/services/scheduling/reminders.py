"""Reminder use cases: schedule a visit's reminders, send the due ones (at most once), and the
patient's reminder preference (what a reminder may say).

**Sending** (``thecal reminders send``, or the server's scheduler) is three steps, each its own
transaction (``domain/scheduling/reminders.py``):

1. :func:`claim_due_reminders` — reminders due by now are checked (still booked? an e-mail? the
   patient wants them?), skipped when not needed, else *claimed* (``sending``) and committed with
   the message each will send. Claims left open by a process that died mid-send are turned
   ``uncertain`` first.
2. the mailer sends each message (outside any transaction);
3. :func:`record_reminder_outcome` — ``sent``, back to ``pending`` (refused before hand-over), or
   ``uncertain``.

So a reminder is sent at most once; one interrupted between 1 and 3 is never resent without a
person deciding (it is listed as uncertain). The message carries no more than the patient chose.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.patient import PatientNotFound
from thecal.domain.scheduling import (
    FOLLOW_UP_QUESTIONNAIRES,
    REMINDER_OFFSETS,
    Appointment,
    AppointmentState,
    PurposeKind,
    Reminder,
    ReminderDetail,
    ReminderNotFound,
    ReminderPreference,
    ReminderState,
    compose_reminder,
)
from thecal.domain.scheduling.reminders import CLAIM_LEASE
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.scheduling.mail import (
    CalendarEvent,
    Mailer,
    MailNotSent,
    MailUncertain,
    OutgoingMail,
)
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_BATCH",
    "ClaimDueReminders",
    "GetReminderPreference",
    "Outgoing",
    "RecordReminderOutcome",
    "SendReport",
    "SetReminderPreference",
    "claim_due_reminders",
    "invitation_of",
    "record_reminder_outcome",
    "reminder_preference",
    "schedule_reminders",
    "send_due_reminders",
    "set_reminder_preference",
    "skip_reminders",
]

MAX_BATCH = 200


def schedule_reminders(
    uow: AbstractUnitOfWork,
    appointment: Appointment,
    *,
    now: dt.datetime,
    not_before: dt.datetime | None = None,
) -> None:
    """Store a booked visit's reminders: 7 days and 1 day before (or now, for a visit booked at
    shorter notice, so every visit gets at least one), never before ``not_before`` — a
    follow-up's window opens then, and its questionnaires count only from that day."""
    floor = max(now, not_before) if not_before is not None else now
    dues = sorted({max(appointment.starts_at - offset, floor) for offset in REMINDER_OFFSETS})
    for due in dues:
        if due < appointment.starts_at:
            uow.reminders.add(
                Reminder(
                    id=str(uuid.uuid4()),
                    appointment_id=appointment.id,
                    patient_id=appointment.patient_id,
                    due_at=due,
                )
            )


def skip_reminders(uow: AbstractUnitOfWork, appointment: Appointment, *, reason: str) -> None:
    """The visit no longer needs its pending reminders (moved, cancelled, already happened)."""
    for reminder in uow.reminders.for_appointment(appointment.id):
        if reminder.state is ReminderState.PENDING:
            reminder.skip(reason)
            uow.reminders.update(reminder)


def invitation_of(appointment: Appointment, *, summary: str, location: str) -> CalendarEvent:
    return CalendarEvent(
        uid=f"{appointment.id}@thecal",
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=summary,
        location=location,
        sequence=appointment.version - 1,
        cancelled=appointment.state is AppointmentState.CANCELLED,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimDueReminders:
    actor: Actor
    setup: ClinicSetup = field(default_factory=ClinicSetup)
    limit: int = MAX_BATCH


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    reminder_id: str
    mail: OutgoingMail


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordReminderOutcome:
    actor: Actor
    reminder_id: str
    outcome: ReminderState  # SENT, PENDING (refused, try again) or UNCERTAIN
    answer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SendReport:
    sent: int = 0
    retry: int = 0
    uncertain: int = 0
    skipped: int = 0
    expired_claims: int = 0


def _skip_reason(
    appointment: Appointment | None, email: str, preference: ReminderPreference, now: dt.datetime
) -> str | None:
    if appointment is None or appointment.state is not AppointmentState.BOOKED:
        return "the visit is no longer booked"
    if appointment.starts_at <= now:
        return "the visit has started"
    if not preference.email:
        return "the patient turned e-mail reminders off"
    if not email:
        return "no e-mail address on record"
    return None


def claim_due_reminders(
    cmd: ClaimDueReminders, *, uow: AbstractUnitOfWork, clock: Clock
) -> tuple[list[Outgoing], int, int]:
    """Claim the due reminders (see the module docstring); return the messages to send, how many
    were skipped and how many stale claims were turned uncertain."""
    authorize(cmd.actor, Action.REMINDER_SEND, Subject.collection("reminders"))
    now = clock.now()
    out: list[Outgoing] = []
    skipped = expired = 0
    with uow:
        for stale in uow.reminders.claimed():
            if stale.lease_expired(now):
                stale.uncertain(f"claimed {stale.claimed_at} and no outcome within {CLAIM_LEASE}")
                uow.reminders.update(stale)
                expired += 1
        for reminder in uow.reminders.due(now, limit=cmd.limit):
            appointment = uow.appointments.get(reminder.appointment_id)
            patient = uow.patients.get(reminder.patient_id)
            if patient is None:
                raise PatientNotFound(ident=reminder.patient_id)
            preference = uow.reminder_preferences.get(patient.id) or ReminderPreference(
                patient_id=patient.id
            )
            email = patient.demographics.contact.email
            reason = _skip_reason(appointment, email, preference, now)
            if reason is not None or appointment is None:
                reminder.skip(reason or "the visit is gone")
                uow.reminders.update(reminder)
                skipped += 1
                continue
            message = compose_reminder(
                given_names=patient.demographics.given_names,
                clinic=cmd.setup.name,
                visit_label=appointment.visit_type.label,
                local_start=appointment.starts_at.astimezone(cmd.setup.zone),
                detail=preference.detail,
                portal_link=f"{cmd.setup.portal_url.rstrip('/')}/portal/visits/{appointment.id}",
                questionnaires=appointment.purpose.kind is PurposeKind.FOLLOW_UP
                and bool(FOLLOW_UP_QUESTIONNAIRES.get(appointment.purpose.time_point or "")),
            )
            reminder.claim(now)
            uow.reminders.update(reminder)
            out.append(
                Outgoing(
                    reminder_id=reminder.id,
                    mail=OutgoingMail(
                        message_id=reminder.message_id,
                        to=email,
                        subject=message.subject,
                        body=message.body,
                        invitation=invitation_of(
                            appointment, summary=message.summary, location=cmd.setup.name
                        ),
                    ),
                )
            )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.REMINDER_SEND,
            subject=Subject.collection("reminders"),
            at=now,
            details={
                "claimed": [o.reminder_id for o in out],
                "skipped": skipped,
                "uncertain": expired,
            },
        )
        uow.commit()
    return out, skipped, expired


def record_reminder_outcome(
    cmd: RecordReminderOutcome, *, uow: AbstractUnitOfWork, clock: Clock
) -> Reminder:
    authorize(cmd.actor, Action.REMINDER_SEND, Subject.collection("reminders"))
    now = clock.now()
    with uow:
        reminder = uow.reminders.get(cmd.reminder_id)
        if reminder is None:
            raise ReminderNotFound(ident=cmd.reminder_id)
        if cmd.outcome is ReminderState.SENT:
            reminder.sent(now, cmd.answer)
        elif cmd.outcome is ReminderState.PENDING:
            reminder.not_sent(cmd.answer)
        else:
            reminder.uncertain(cmd.answer)
        uow.reminders.update(reminder)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.REMINDER_SEND,
            subject=Subject.patient(reminder.patient_id),
            at=now,
            details={
                "reminder_id": reminder.id,
                "appointment_id": reminder.appointment_id,
                "state": reminder.state.value,
                "attempts": reminder.attempts,
            },
        )
        uow.commit()
    return reminder


Runner = Callable[[Any, Any], Any]


def send_due_reminders(cmd: ClaimDueReminders, *, run: Runner, mailer: Mailer) -> SendReport:
    """Claim, send and record every due reminder (``run`` is ``Thecal.run``)."""
    outgoing, skipped, expired = run(claim_due_reminders, cmd)
    sent = retry = uncertain = 0
    for item in outgoing:
        try:
            answer = mailer.send(item.mail)
            outcome = ReminderState.SENT
            sent += 1
        except MailNotSent as refused:
            answer, outcome = refused.message, ReminderState.PENDING
            retry += 1
        except MailUncertain as unknown:
            answer, outcome = unknown.message, ReminderState.UNCERTAIN
            uncertain += 1
        run(
            record_reminder_outcome,
            RecordReminderOutcome(
                actor=cmd.actor, reminder_id=item.reminder_id, outcome=outcome, answer=answer
            ),
        )
    return SendReport(
        sent=sent, retry=retry, uncertain=uncertain, skipped=skipped, expired_claims=expired
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReminderPreference:
    actor: Actor
    patient_id: str
    email: bool
    detail: ReminderDetail


def set_reminder_preference(
    cmd: SetReminderPreference, *, uow: AbstractUnitOfWork, clock: Clock
) -> ReminderPreference:
    """What the patient's reminders may say, and whether they come at all (audited)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.REMINDER_PREFERENCE, subject)
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        old = uow.reminder_preferences.get(cmd.patient_id)
        preference = ReminderPreference(
            patient_id=cmd.patient_id,
            email=cmd.email,
            detail=cmd.detail,
            version=(old.version + 1) if old else 1,
        )
        uow.reminder_preferences.put(preference)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.REMINDER_PREFERENCE,
            subject=subject,
            at=now,
            details={"email": cmd.email, "detail": cmd.detail.value, "version": preference.version},
        )
        uow.commit()
    return preference


@dataclass(frozen=True, slots=True, kw_only=True)
class GetReminderPreference:
    actor: Actor
    patient_id: str


def reminder_preference(
    cmd: GetReminderPreference, *, uow: AbstractUnitOfWork, clock: Clock
) -> ReminderPreference:
    """The patient's reminder preference (the default when none was set): an audited read."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.REMINDER_PREFERENCE, subject)
    with uow:
        found = uow.reminder_preferences.get(cmd.patient_id)
    uow.audit_read(
        actor=cmd.actor, action=Action.REMINDER_PREFERENCE, subject=subject, at=clock.now()
    )
    return found or ReminderPreference(patient_id=cmd.patient_id)
