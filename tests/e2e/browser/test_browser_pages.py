"""Real Chromium over a live server: log in with the keyboard, walk the pages each role uses, and
keep a screenshot of every page (tablet-sized viewport)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, implant_pump_with_patient_bolus
from browser_support import LiveServer
from pdf_reader import read_pdf
from playwright.sync_api import expect

from thecal.domain.users import Actor, Role
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.services.pumps import GetPump, get_pump
from thecal.simulation.faults import DeliveryError

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


def new_page(browser: Any) -> Any:
    context = browser.new_context(viewport=TABLET)
    return context.new_page()


def log_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # keyboard submission
    page.wait_for_load_state()


def test_a_nurse_logs_in_with_the_keyboard_and_walks_the_clinical_pages(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    page = new_page(browser)
    page.goto(f"{server.url}/login")
    assert page.evaluate("document.activeElement.id") == "username"  # autofocus
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.screenshot(path=str(shots / "login.png"), full_page=True)
    log_in(page, server, "nurse")
    expect(page.locator("h1")).to_have_text("Worklist")
    page.screenshot(path=str(shots / "worklist.png"), full_page=True)

    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Family name (beginning)").fill("o")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Owens, Alex")).to_be_visible()
    page.screenshot(path=str(shots / "patients.png"), full_page=True)

    page.get_by_role("link", name="Owens, Alex").click()
    expect(page.locator("h1")).to_have_text("Owens, Alex")
    page.get_by_role("link", name="Record a candidacy assessment").click()
    page.screenshot(path=str(shots / "candidacy-form.png"), full_page=True)
    page.get_by_label("Indication").select_option("failed_back_surgery_syndrome")
    page.get_by_label("mixed").check()
    page.get_by_label("localized").check()
    page.get_by_label("Months of failed conservative care").fill("12")
    page.get_by_label("Months of oral medication").fill("18")
    page.get_by_label("cleared", exact=True).check()
    page.get_by_label("Drug 1").fill("morphine")
    page.locator("#med_dose_0").fill("60 mg/day")
    page.locator("#med_opioid_0").select_option("yes")
    page.get_by_role("button", name="Record assessment").click()
    expect(page.get_by_text("60 mg/day").first).to_be_visible()
    page.screenshot(path=str(shots / "patient-timeline.png"), full_page=True)

    page.goto(f"{server.url}/patients/no-such-patient")
    expect(page.get_by_text("What to do:")).to_be_visible()
    page.screenshot(path=str(shots / "error-404.png"), full_page=True)


def test_an_administrator_sees_the_audit_log_and_users(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    page = new_page(browser)
    log_in(page, server, "admin")  # lands on the administrators' worklist: break-glass alerts
    expect(page.get_by_role("link", name="Break-glass alerts")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("h1")).to_have_text("Audit log")
    page.get_by_role("button", name="Verify the hash chain").click()
    page.screenshot(path=str(shots / "audit-log.png"), full_page=True)
    expect(page.get_by_text("The chain is intact")).to_be_visible()
    page.screenshot(path=str(shots / "audit-log.png"), full_page=True)
    page.get_by_role("link", name="Users").click()
    page.screenshot(path=str(shots / "users.png"), full_page=True)


def test_a_patient_sees_only_their_portal(browser: Any, server: LiveServer, shots: Path) -> None:
    page = new_page(browser)
    log_in(page, server, "patient")
    expect(page.locator("h1")).to_contain_text("Hello")
    page.screenshot(path=str(shots / "portal.png"), full_page=True)
    page.goto(f"{server.url}/patients/{server.clinic.foreign_patient}")
    expect(page.get_by_text("Not allowed").first).to_be_visible()
    page.screenshot(path=str(shots / "error-403.png"), full_page=True)


def test_a_patient_asking_for_a_bolus_inside_the_lockout_is_refused(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    implant_pump_with_patient_bolus(server.clinic)
    page = new_page(browser)
    log_in(page, server, "patient")
    ask = page.get_by_role("button", name="Ask my pump for an extra dose")
    ask.click()
    expect(page.get_by_role("status")).to_contain_text("giving the extra dose")
    server.clinic.clock.advance(minutes=5)
    page.get_by_role("button", name="Ask my pump for an extra dose").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Your pump said no: lockout")
    page.screenshot(path=str(shots / "portal-bolus-lockout.png"), full_page=True)


def actor_of(clinic: Any, role: Role) -> Actor:
    return Actor(user_id=clinic.users[role], role=role)


def answer_findings(page: Any) -> None:
    """Acknowledge every warning and justify every override the signing form asks about."""
    for box in page.locator('input[name="acknowledge"]').all():
        box.check()
    for text in page.locator('textarea[name^="override_text_"]').all():
        text.fill("Tolerance documented at the last visit; titrating under observation.")


def test_a_dose_increase_is_signed_co_signed_sent_and_confirmed_by_interrogation(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    server.clinic.clock.advance(days=14)  # a titration interval after the implant

    physician = new_page(browser)
    log_in(physician, server, "physician")
    physician.goto(f"{server.url}/pumps/{pump_id}")
    physician.get_by_label("Continuous daily dose").fill("5.5 mg/day")
    physician.get_by_role("textbox", name="Reason").fill(
        "Pain not controlled at 5 mg/day (NRS 7/10)."
    )
    physician.get_by_role("button", name="Propose and review").click()
    expect(physician.locator("table.diff tr.changed").first).to_be_visible()
    expect(physician.locator("table.diff")).to_contain_text("5.5")
    physician.screenshot(path=str(shots / "program-change-review.png"), full_page=True)
    answer_findings(physician)
    physician.get_by_label("Your password").fill(PASSWORD)
    physician.get_by_role("button", name="Sign").click()
    expect(physician.locator("h1")).to_contain_text("signed")

    nurse = new_page(browser)
    log_in(nurse, server, "nurse")
    nurse.goto(physician.url)
    nurse.get_by_label("Your password").fill(PASSWORD)
    nurse.get_by_role("button", name="Co-sign").click()
    expect(nurse.locator("h1")).to_contain_text("co")
    nurse.get_by_role("button", name="Send to pump").click()
    expect(nurse.get_by_text("Sent.")).to_be_visible()
    nurse.screenshot(path=str(shots / "program-change-sent.png"), full_page=True)

    nurse.goto(f"{server.url}/pumps/{pump_id}")
    nurse.get_by_role("button", name="Interrogate the pump").click()
    expect(nurse.get_by_text("is now confirmed")).to_be_visible()
    expect(nurse.locator("#interrogated-program")).to_contain_text("5.5")
    nurse.screenshot(path=str(shots / "pump-interrogated.png"), full_page=True)


def test_a_nurse_completes_a_refill_that_raises_a_discrepancy_finding(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    pump_id = implant_pump_with_patient_bolus(clinic)
    serial = clinic.thecal.run(
        get_pump, GetPump(actor=actor_of(clinic, Role.NURSE), pump_id=pump_id)
    ).serial
    # the twin over-delivers by 30 % without knowing it: less comes back than the pump counted
    clinic.thecal.run_device(
        configure_twin, ConfigureTwin(serial=serial, fault=DeliveryError(percent=Decimal(30)))
    )
    clinic.clock.advance(days=28)
    pharmacist = new_page(browser)
    log_in(pharmacist, server, "pharmacist")
    pharmacist.goto(f"{server.url}/pumps/{pump_id}")
    # the pharmacist types what the label says (the pump runs morphine 25 mg/mL)
    pharmacist.locator("#concentration").fill("25 mg/mL")
    pharmacist.locator("#volume").fill("20 mL")
    pharmacist.get_by_label("Lot").fill("LOT-E2E-7")
    pharmacist.get_by_label("Beyond-use date and time (UTC)").fill("2026-04-30T12:00")
    pharmacist.get_by_role("button", name="Verify").click()
    verification = pharmacist.locator("#verification-id")
    expect(verification).to_be_visible()
    pharmacist.screenshot(path=str(shots / "pharmacy-verified.png"), full_page=True)
    verification_id = verification.inner_text()
    # the syringe label: the result page's link serves the PDF carrying the code (issue 13 §6)
    label = pharmacist.get_by_role("link", name="Print the syringe label (PDF)")
    printed = pharmacist.request.get(f"{server.url}{label.get_attribute('href')}")
    assert printed.status == 200, printed.text()
    assert printed.headers["content-type"] == "application/pdf"
    assert verification_id in read_pdf(printed.body())[0].text

    page = new_page(browser)
    log_in(page, server, "nurse")
    page.goto(f"{server.url}/pumps/{pump_id}")
    # the code as a nurse may type it: lower case, no hyphen
    page.get_by_label("Pharmacy verification code").fill(verification_id.replace("-", "").lower())
    page.get_by_label("Lot at the bedside").fill("LOT-E2E-7")
    page.get_by_label("Ordered volume (mL)").fill("20")
    page.get_by_label("Residual withdrawn, as you read it off the syringe (mL)").fill("17")
    page.get_by_label("Volume injected, as you read it off the syringe", exact=False).fill("20")
    for item in (
        "Test volume aspirated back",
        "Needle placement confirmed",
        "Aspiration positive",
        "No pocket swelling or pain",
        "Observed for overdose symptoms",
    ):
        page.get_by_label(item).check()
    page.get_by_role("button", name="Perform the refill").click()
    expect(page.get_by_role("heading", name="Expected vs withdrawn")).to_be_visible()
    expect(page.locator("main")).to_contain_text("less withdrawn than expected")
    expect(page.locator(".findings li").first).to_be_visible()
    page.screenshot(path=str(shots / "refill-discrepancy.png"), full_page=True)
