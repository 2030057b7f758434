"""The patient portal on a phone, in real Chromium: no sideways scrolling at 360–412 px, the bolus
button in the first screen with its answer next to it, the next possible time after a refusal, and
a reload after asking that asks the pump nothing more (post/redirect/get)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, implant_pump_with_patient_bolus
from browser_support import LiveServer
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def phone(browser: Any, server: LiveServer, width: int) -> Any:
    page = browser.new_context(
        viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill("patient")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_contain_text("Hello")
    return page


def requests_logged(server: LiveServer, pump_id: str) -> int:
    clinic = server.clinic
    with clinic.thecal.uow() as uow:
        return sum(1 for b in uow.device_log.boluses(pump_id) if b.source == "request")


@pytest.mark.parametrize("width", [360, 390, 412])
def test_the_portal_fits_a_phone_with_the_bolus_button_in_the_first_screen(
    browser: Any, server: LiveServer, shots: Path, width: int
) -> None:
    implant_pump_with_patient_bolus(server.clinic)
    page = phone(browser, server, width)
    page.get_by_label("7", exact=True).check()  # a diary entry: the chart and the history table
    page.get_by_role("button", name="Save today's pain").click()
    expect(page.locator("#saved")).to_be_visible()
    page.goto(f"{server.url}/portal")
    expect(page.locator("#diary")).to_contain_text("pain 7 of 10")  # a score in words
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    button = page.get_by_role("button", name="Ask my pump for an extra dose")
    box = button.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 740  # visible without scrolling
    assert box["height"] >= 44  # a finger-sized target
    page.screenshot(path=str(shots / f"portal-phone-{width}.png"), full_page=True)


def test_a_refused_bolus_says_when_to_ask_again_and_a_reload_asks_nothing(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)  # 4-hour lockout, 3 a day
    page = phone(browser, server, 360)
    expect(page.locator("#next-bolus")).to_have_text("You can ask now.")
    page.get_by_role("button", name="Ask my pump for an extra dose").click()
    expect(page.get_by_role("status")).to_contain_text("giving the extra dose now")
    assert "/portal?bolus=asked" in page.url  # the answer page is a GET
    expect(page.locator("#next-bolus")).to_contain_text("in 4 h")  # 3 h 59 min … 4 h
    page.reload()
    page.reload()
    assert requests_logged(server, pump_id) == 1  # reloading the answer asked the pump nothing

    server.clinic.clock.advance(minutes=5)
    page.get_by_role("button", name="Ask my pump for an extra dose").click()
    expect(page.get_by_role("alert")).to_contain_text("Your pump said no: lockout")
    expect(page.locator("#next-bolus")).to_contain_text("in 3 h 55 min")  # 4 h lockout, 5 min in
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(shots / "portal-phone-refused.png"), full_page=True)
    page.reload()
    assert requests_logged(server, pump_id) == 2


def test_a_patient_without_a_pump_sees_no_bolus_button(browser: Any, server: LiveServer) -> None:
    page = phone(browser, server, 360)
    expect(page.get_by_role("button", name="Ask my pump for an extra dose")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
