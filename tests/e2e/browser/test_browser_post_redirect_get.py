"""Errors that keep the work and posts that cannot repeat (issue 13 §5), in real Chromium.

Every form post answers with a redirect (post/redirect/get): reloading the page after the
patient's portal bolus, after a refill or after a program-change proposal repeats nothing — the
database holds exactly one bolus request, one refill and one proposal. A wrong password at signing
returns to the signing form, the message next to the password, with what was ticked and typed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, implant_pump_with_patient_bolus, logged_in
from axe_playwright_python.sync_playwright import Axe
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_accessibility import serious
from test_browser_pages import actor_of, log_in, new_page

from thecal.domain.users import Role
from thecal.services.pump_reads import (
    ListProgramChanges,
    ListRefills,
    list_program_changes,
    list_refills,
)

pytestmark = pytest.mark.browser


def bolus_requests(server: LiveServer, pump_id: str) -> int:
    with server.clinic.thecal.uow() as uow:
        return sum(1 for b in uow.device_log.boluses(pump_id) if b.source == "request")


def refills(server: LiveServer, pump_id: str) -> int:
    nurse = actor_of(server.clinic, Role.NURSE)
    return server.clinic.thecal.run(list_refills, ListRefills(actor=nurse, pump_id=pump_id)).total


def proposals(server: LiveServer, pump_id: str) -> int:
    physician = actor_of(server.clinic, Role.PHYSICIAN)
    return server.clinic.thecal.run(
        list_program_changes, ListProgramChanges(actor=physician, pump_id=pump_id)
    ).total


def test_a_reload_after_the_portal_bolus_asks_the_pump_nothing(
    browser: Any, server: LiveServer
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    page = new_page(browser)
    log_in(page, server, "patient")
    page.get_by_role("button", name="Ask my pump for an extra dose").click()
    expect(page.get_by_role("status")).to_contain_text("giving the extra dose")
    page.reload()
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("giving the extra dose")
    assert bolus_requests(server, pump_id) == 1


def test_a_reload_after_a_refill_refills_nothing(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    verified = logged_in(clinic, "pharmacist").post(
        f"/api/v1/pumps/{pump_id}/pharmacy-verifications",
        json={
            "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
            "volume": "20 mL",
            "lot": "LOT-PRG-1",
            "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert verified.status_code == 201, verified.text
    page = new_page(browser)
    log_in(page, server, "nurse")
    page.goto(f"{server.url}/pumps/{pump_id}")
    shown = verified.json()
    page.locator("#verification_id").fill(shown.get("code") or shown["id"])
    page.get_by_label("Lot at the bedside").fill("LOT-PRG-1")
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
    assert f"/pumps/{pump_id}/refills/" in page.url  # the answer is a page of its own, a GET
    page.reload()
    page.reload()
    expect(page.get_by_role("heading", name="Expected vs withdrawn")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Next refill due")
    page.screenshot(path=str(shots / "refill-result-reloaded.png"), full_page=True)
    assert refills(server, pump_id) == 1


def test_a_reload_after_a_proposal_proposes_nothing_more(browser: Any, server: LiveServer) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    server.clinic.clock.advance(days=14)
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{pump_id}")
    page.get_by_label("Continuous daily dose").fill("5.5 mg/day")
    page.get_by_role("textbox", name="Reason").fill("Pain not controlled at 5 mg/day (NRS 7/10).")
    page.get_by_role("button", name="Propose and review").click()
    expect(page.locator("table.diff tr.changed").first).to_be_visible()
    assert "/program-changes/" in page.url
    page.reload()
    page.reload()
    expect(page.locator("table.diff tr.changed").first).to_be_visible()
    assert proposals(server, pump_id) == 1


def test_a_wrong_password_at_signing_keeps_the_signing_form_and_what_was_typed(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    server.clinic.clock.advance(days=14)
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{pump_id}")
    # a large step: the review asks for acknowledgements and justified overrides at signing
    page.get_by_label("Continuous daily dose").fill("7 mg/day")
    page.get_by_role("textbox", name="Reason").fill("Pain not controlled at 5 mg/day (NRS 8/10).")
    page.get_by_role("button", name="Propose and review").click()
    change_url = page.url
    boxes = page.locator('input[name="acknowledge"]')
    texts = page.locator('textarea[name^="override_text_"]')
    assert boxes.count() + texts.count() > 0, "the review asked for nothing to type or tick"
    for box in boxes.all():
        box.check()
    justification = "Tolerance documented at the last visit; titrating under observation."
    for text in texts.all():
        text.fill(justification)
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Sign").click()

    assert "/login" not in page.url  # not dropped on the log-in page
    error = page.locator("#form-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Not done")
    sign_form = page.locator(f'form[action="{change_url.removeprefix(server.url)}/sign"]')
    expect(sign_form).to_be_visible()
    expect(sign_form.locator("#form-error")).to_have_count(1)  # next to the password field
    expect(sign_form.get_by_label("Your password")).to_have_value("")  # never echoed back
    for box in boxes.all():
        expect(box).to_be_checked()
    for text in texts.all():
        expect(text).to_have_value(justification)
    page.screenshot(path=str(shots / "sign-wrong-password.png"), full_page=True)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign").click()
    expect(page.locator("h1")).to_contain_text("signed")
    assert page.url == change_url  # post/redirect/get back to the change
    assert proposals(server, pump_id) == 1


def test_a_refused_form_keeps_the_work_and_stays_accessible(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    """The implant form with a naked decimal, in Chromium: the same form with everything typed,
    the message next to the dose (focused, described), and no serious axe-core violation."""
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/patients/{server.clinic.own_patient}/implants/new")
    page.get_by_label("Serial number").fill("NGP-PRG-1")
    page.get_by_label("Implanted length in cm (for example 60 or 52.5)").fill("60")
    page.get_by_label("Catheter tip level (for example T10)").fill("T10")
    page.get_by_label("Concentration, with its unit (for example 25 mg/mL)").fill("25 mg/mL")
    page.get_by_label("Fill volume, with its unit (for example 20 mL)").fill("20 mL")
    page.get_by_label("Daily dose, with its unit (for example 5 mg/day)").fill(".5 mg/day")
    page.get_by_role("button", name="Record the implant").click()

    dose = page.get_by_label("Daily dose, with its unit (for example 5 mg/day)")
    expect(page.locator("#daily_dose-error")).to_contain_text("THC-QTY-002")
    expect(dose).to_have_attribute("aria-invalid", "true")
    expect(dose).to_be_focused()
    expect(dose).to_have_value(".5 mg/day")
    expect(page.get_by_label("Serial number")).to_have_value("NGP-PRG-1")
    expect(page.get_by_label("Fill volume, with its unit (for example 20 mL)")).to_have_value(
        "20 mL"
    )
    page.screenshot(path=str(shots / "implant-form-refused.png"), full_page=True)
    assert serious(Axe().run(page)) == []
