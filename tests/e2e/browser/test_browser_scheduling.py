"""Real Chromium over a live server, the issue's whole story: a patient asks for a consultation on
the public page; a physician triages it into a patient and books the consultation; a refill visit
proposed from the pump's forecast is booked from the worklist; the 3-month follow-up after the
implant is booked; the patient gets the reminder (read from a real local SMTP server, aiosmtpd),
follows its link and answers the questionnaires in the portal; the visit is attended; the
outcome report's follow-up capture counts it. Screenshots in ``test-artifacts/screenshots/``."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from api_support import implant_pump_with_patient_bolus
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in, new_page

from thecal.adapters.mail import SmtpMailer
from thecal.domain.patient import Contact, DemographicsAmendment
from thecal.domain.procedure import ProcedureKind
from thecal.domain.scheduling import Location, WorkingHours
from thecal.domain.users import Actor, Role
from thecal.services.patients import AmendDemographics, amend_demographics
from thecal.services.procedures import RecordProcedure, record_procedure
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    put_room,
    set_working_hours,
)
from thecal.services.scheduling.reminders import ClaimDueReminders, send_due_reminders

pytestmark = pytest.mark.browser

ADMIN = Actor(user_id="operator", role=Role.ADMIN)
WEEK = tuple(WorkingHours(weekday=d, starts=dt.time(8), ends=dt.time(17)) for d in range(5))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        del server, session
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _furnish(server: LiveServer) -> str:
    """Rooms and working hours; the patient user's pump and its implant episode. Returns the
    implant procedure's id."""
    clinic = server.clinic
    run = clinic.thecal.run
    run(put_room, PutRoom(actor=ADMIN, room_id="room-1", name="Room 1", location=Location.CLINIC))
    for role in (Role.PHYSICIAN, Role.NURSE):
        run(set_working_hours, SetWorkingHours(actor=ADMIN, user_id=clinic.users[role], hours=WEEK))
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    implant_pump_with_patient_bolus(clinic)
    run(
        amend_demographics,
        AmendDemographics(
            actor=physician,
            patient_id=clinic.own_patient,
            expected_version=1,
            amendment=DemographicsAmendment(contact=Contact(email="alex.owens@example.org")),
        ),
    )
    return run(
        record_procedure,
        RecordProcedure(
            actor=physician,
            patient_id=clinic.own_patient,
            kind=ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
            performed_on=clinic.clock.now().date(),
            indication="FBSS",
        ),
    ).id


def _book_first_offer(page: Any) -> None:
    page.get_by_role("button", name=re.compile(r"^Book \d{4}-")).first.click()
    expect(page.locator("h1")).to_contain_text("Visits")


# one implant episode: matplotlib cannot fit the outcome charts' margins (a layout warning only)
@pytest.mark.filterwarnings("ignore:Tight layout not applied:UserWarning")
def test_from_the_public_request_to_the_counted_follow_up(
    browser: Any, server: LiveServer, shots: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    clinic = server.clinic
    implant_episode = _furnish(server)

    # 1. a patient asks for a consultation (no log-in)
    public = new_page(browser)
    public.goto(f"{server.url}/consultation")
    public.get_by_label("Family name").fill("Moreau")
    public.get_by_label("Given names").fill("Lena")
    public.get_by_label("Birth date").fill("1968-07-14")
    public.get_by_label("E-mail", exact=True).fill("lena@example.org")
    public.get_by_label("Condition").select_option("failed_back_surgery_syndrome")
    public.get_by_label("oral medicines", exact=True).check()
    public.get_by_label("surgery", exact=True).check()
    public.get_by_label("I agree that the clinic contacts me").check()
    public.screenshot(path=str(shots / "consultation-form.png"), full_page=True)
    public.get_by_role("button", name="Send the request").click()
    expect(public.locator("#sent")).to_contain_text("has received your request")

    # 2. a physician triages it into a patient and books the consultation
    page = new_page(browser)
    log_in(page, server, "physician")
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Moreau, Lena").click()
    page.get_by_label("Medical record number for the new patient").fill("MRN-2041")
    page.screenshot(path=str(shots / "referral-triage.png"), full_page=True)
    page.get_by_role("button", name="Accept: register the patient").click()
    expect(page.locator("h1")).to_contain_text("Book: consultation — Moreau, Lena")
    _book_first_offer(page)
    expect(page.get_by_text("Moreau, Lena")).to_be_visible()

    # 3. the refill visit the forecast proposes, booked from the worklist: its window ends more
    # than 30 days out, past the worklist's default window, so the physician unfolds the rest
    page.goto(f"{server.url}/")
    expect(page.locator("#later")).to_contain_text("due later")
    page.get_by_role("link", name="show everything due").click()
    page.get_by_role(
        "link", name=re.compile(r"^Book: book a refill: refill before .* for Owens, Alex")
    ).click()
    expect(page.locator("#need-reason")).to_contain_text("refill before")
    page.screenshot(path=str(shots / "refill-booking.png"), full_page=True)
    _book_first_offer(page)

    # 4. the 3-month follow-up after the implant
    page.goto(f"{server.url}/patients/{clinic.own_patient}/visits")
    page.get_by_role("row", name=re.compile("follow-up visit.*3 months follow-up")).get_by_role(
        "link", name="Book"
    ).click()
    expect(page.locator("#need-reason")).to_contain_text("3 months follow-up")
    _book_first_offer(page)
    follow_up = page.url.split("#v-")[1]
    page.screenshot(path=str(shots / "follow-up-booked.png"), full_page=True)

    # 5. a week before the visit the reminders go out, through the SMTP server
    with clinic.thecal.uow() as uow:
        visit = uow.appointments.get(follow_up)
    assert visit is not None
    clinic.clock.at = visit.starts_at - dt.timedelta(days=7)
    mailer = SmtpMailer(
        host="127.0.0.1", port=port, sender="clinic@example.org", clock=clinic.clock
    )
    report = send_due_reminders(
        ClaimDueReminders(actor=ADMIN, setup=clinic.thecal.scheduling),
        run=clinic.thecal.run,
        mailer=mailer,
    )
    assert report.sent >= 1
    [reminder] = [
        m
        for m in inbox.messages
        if follow_up in m.get_payload()[0].get_payload(decode=True).decode()
    ]
    assert reminder["To"] == "alex.owens@example.org"
    text = reminder.get_payload()[0].get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/portal/visits/\S+", text)
    assert link
    assert "follow-up" not in text.lower()  # no more than the patient chose

    # 6. the patient follows the link and answers in the portal
    patient = new_page(browser)
    log_in(patient, server, "patient")
    patient.goto(f"{server.url}/portal/visits/{follow_up}")
    expect(patient.locator("h1")).to_contain_text("Your follow-up visit")
    for title, fill in (
        ("Pain today", "pain"),
        ("Patient Global Impression", "pgic"),
        ("Oswestry", "odi"),
    ):
        patient.get_by_role("link", name=re.compile(title)).click()
        for group in patient.locator("fieldset").all():
            group.locator("input[type=radio]").nth(2).check()
        patient.get_by_role("button", name="Send my answers").click()
        expect(patient.get_by_text(re.compile(f"{title}.*answered, thank you"))).to_be_visible()
        del fill
    patient.screenshot(path=str(shots / "portal-visit-answered.png"), full_page=True)

    # 7. on the day the visit is kept; after the window the report counts the follow-up
    clinic.clock.at = visit.starts_at
    log_in(page, server, "physician")
    page.goto(f"{server.url}/visits?day={visit.starts_at.date()}")
    page.get_by_role("button", name=re.compile("^Attended: Owens, Alex")).click()
    expect(page.locator(f"#v-{follow_up} .state")).to_have_text("attended")
    clinic.clock.at = visit.starts_at + dt.timedelta(days=45)  # past day 120 of the episode
    log_in(page, server, "physician")
    page.goto(f"{server.url}/outcomes?procedure=intrathecal_pump&time_point=3+months")
    row = page.locator("#capture tr", has_text="3 months")
    expect(row).to_contain_text("1")
    cells = row.locator("td").all_inner_texts()
    assert cells[:7] == [
        "3 months",
        "1",
        "1",
        "1",
        "0",
        "1",
        "0",
    ]  # due, booked, attended, no-show, answered, lost
    assert cells[7:] == ["1 / 1", "0 / 0"]  # answered with a reminder, without
    page.screenshot(path=str(shots / "outcomes-capture.png"), full_page=True)
    del implant_episode
