"""Reminders through a real SMTP server (aiosmtpd, started by the test on a free local port): a
follow-up visit's reminder is sent once, 7 days before, with the portal link and an invitation,
and says no more than the patient chose; a refused message is retried next run, an interrupted
send is never resent; the outbox folder writes each message once."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pathway_scenario import NURSE, PATIENT_ID, MovableClock, actor
from scheduling_scenario import ADMIN, book, monday

from thecal.adapters.mail import OutboxMailer, SmtpMailer
from thecal.bootstrap import Thecal
from thecal.domain.patient import Contact, DemographicsAmendment
from thecal.domain.scheduling import (
    PurposeKind,
    ReminderDetail,
    ReminderState,
    VisitPurpose,
    VisitType,
)
from thecal.services.patients import AmendDemographics, amend_demographics
from thecal.services.scheduling.appointments import book_appointment
from thecal.services.scheduling.mail import OutgoingMail
from thecal.services.scheduling.reminders import (
    ClaimDueReminders,
    SetReminderPreference,
    claim_due_reminders,
    send_due_reminders,
    set_reminder_preference,
)
from thecal.services.scheduling.setup import ClinicSetup

SETUP = ClinicSetup(name="Riverside Pain Clinic", portal_url="https://portal.example")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        del server, session, options
        if self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _with_email(clinic: Thecal) -> None:
    clinic.run(
        amend_demographics,
        AmendDemographics(
            actor=actor(NURSE),
            patient_id=PATIENT_ID,
            expected_version=1,
            amendment=DemographicsAmendment(contact=Contact(email="jane.doe@example.org")),
        ),
    )


def _follow_up(clinic: Thecal) -> str:
    visit = clinic.run(
        book_appointment,
        book(
            monday(10, weeks=3),
            visit_type=VisitType.FOLLOW_UP,
            purpose=VisitPurpose(
                kind=PurposeKind.FOLLOW_UP, ref="episode-1", time_point="3 months"
            ),
        ),
    )
    return visit.id


def _states(clinic: Thecal, appointment_id: str) -> list[ReminderState]:
    with clinic.uow() as uow:
        return [r.state for r in uow.reminders.for_appointment(appointment_id)]


def test_the_reminder_is_sent_once_seven_days_ahead_with_the_portal_link_and_an_invitation(
    clinic: Thecal, clock: MovableClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _with_email(clinic)
    visit = _follow_up(clinic)
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="clinic@example.org", clock=clock)
    command = ClaimDueReminders(actor=ADMIN, setup=SETUP)

    assert send_due_reminders(command, run=clinic.run, mailer=mailer).sent == 0  # not due yet
    clock.at = monday(10, weeks=2)  # 7 days before
    report = send_due_reminders(command, run=clinic.run, mailer=mailer)
    assert (report.sent, len(inbox.messages)) == (1, 1)
    assert send_due_reminders(command, run=clinic.run, mailer=mailer).sent == 0  # never twice
    assert len(inbox.messages) == 1
    assert _states(clinic, visit) == [ReminderState.SENT, ReminderState.PENDING]

    message = inbox.messages[0]
    assert message["To"] == "jane.doe@example.org"
    assert message["Message-ID"].startswith("<reminder-")
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert f"https://portal.example/portal/visits/{visit}" in text
    assert "short questions" in text  # a follow-up asks for its questionnaires
    assert "follow-up" not in (text + message["Subject"]).lower()  # the default says no more
    invitation = message.get_payload()[1]
    assert invitation.get_content_type() == "text/calendar"
    ics = invitation.get_payload(decode=True).decode()
    assert "METHOD:REQUEST" in ics
    assert "DTSTART:20260126T100000Z" in ics
    assert "SUMMARY:Clinic visit" in ics


def test_a_patient_who_chose_the_visit_type_is_told_it_and_one_who_opted_out_gets_nothing(
    clinic: Thecal, clock: MovableClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _with_email(clinic)
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="clinic@example.org", clock=clock)
    clinic.run(
        set_reminder_preference,
        SetReminderPreference(
            actor=actor(NURSE), patient_id=PATIENT_ID, email=True, detail=ReminderDetail.VISIT_TYPE
        ),
    )
    _follow_up(clinic)
    clock.at = monday(10, weeks=2)
    send_due_reminders(ClaimDueReminders(actor=ADMIN, setup=SETUP), run=clinic.run, mailer=mailer)
    assert "follow-up visit" in inbox.messages[0]["Subject"]

    clinic.run(
        set_reminder_preference,
        SetReminderPreference(
            actor=actor(NURSE), patient_id=PATIENT_ID, email=False, detail=ReminderDetail.TIME_ONLY
        ),
    )
    clock.at = monday(10, weeks=3) - dt.timedelta(days=1)
    report = send_due_reminders(
        ClaimDueReminders(actor=ADMIN, setup=SETUP), run=clinic.run, mailer=mailer
    )
    assert (report.sent, report.skipped, len(inbox.messages)) == (0, 1, 1)


def test_a_refused_reminder_is_retried_and_an_interrupted_one_is_never_resent(
    clinic: Thecal, clock: MovableClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _with_email(clinic)
    visit = _follow_up(clinic)
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="clinic@example.org", clock=clock)
    command = ClaimDueReminders(actor=ADMIN, setup=SETUP)
    clock.at = monday(10, weeks=2)
    inbox.refuse = True
    assert send_due_reminders(command, run=clinic.run, mailer=mailer).retry == 1
    inbox.refuse = False
    clock.advance(minutes=5)
    assert send_due_reminders(command, run=clinic.run, mailer=mailer).sent == 1

    clock.at = monday(10, weeks=3) - dt.timedelta(days=1)
    claimed, _, _ = clinic.run(claim_due_reminders, command)  # the process dies before sending
    assert len(claimed) == 1
    clock.advance(minutes=11)
    report = send_due_reminders(command, run=clinic.run, mailer=mailer)
    assert (report.sent, report.expired_claims) == (0, 1)
    assert _states(clinic, visit) == [ReminderState.SENT, ReminderState.UNCERTAIN]
    assert len(inbox.messages) == 1


def test_the_outbox_writes_each_message_once(tmp_path: Path, clock: MovableClock) -> None:
    outbox = OutboxMailer(tmp_path / "outbox", sender="clinic@example.org", clock=clock)
    mail = OutgoingMail(
        message_id="<reminder-r1@thecal>", to="a@example.org", subject="s", body="b"
    )
    outbox.send(mail)
    outbox.send(mail)
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == ["reminder-r1_at_thecal.eml"]
