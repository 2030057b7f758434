"""Real Chromium at 1366×768 (issue 13 §1, "Done when"): a physician opening a pump sees, without
scrolling, the reservoir now, the low-reservoir alarm date, the next refill date with the limit
that binds, the worst-case daily dose and the active alarms — each element's bottom edge within
the first viewport. The screenshot is kept in ``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import implant_pump_with_patient_bolus
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in

from thecal.domain.units import Duration
from thecal.domain.users import Actor, Role
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.simulation.faults import BatteryDepletion

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def test_the_physician_sees_the_decision_set_without_scrolling(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    pump_id = implant_pump_with_patient_bolus(clinic)
    # past its elective replacement indicator (S50): an active alarm to show
    clinic.thecal.run_device(
        configure_twin,
        ConfigureTwin(serial="NGP-E2E-001", fault=BatteryDepletion(lost=Duration.days(2500))),
    )
    clinic.clock.advance(days=10)
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    clinic.thecal.run_device(interrogate_pump, InterrogatePump(actor=physician, pump_id=pump_id))

    page = browser.new_context(viewport=LAPTOP).new_page()
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{pump_id}")
    assert page.evaluate("window.scrollY") == 0

    facts = {
        "reservoir now": (page.locator("#glance-reservoir"), "Reservoir now"),
        "alarm date": (page.locator("#glance-alarm-date"), "Low-reservoir alarm"),
        "next refill": (page.locator("#glance-refill"), "limit that binds"),
        "binding limit": (page.locator("#glance-binding"), "low-reservoir alarm"),
        "worst-case dose": (page.locator(".glance-worst").first, "worst case, every patient bolus"),
        "active alarms": (page.locator("#glance-alarms"), "Elective replacement indicator"),
    }
    page.screenshot(path=str(shots / "pump-at-a-glance-1366x768.png"))
    for name, (element, text) in facts.items():
        expect(element).to_be_visible()
        expect(element).to_contain_text(text)
        box = element.bounding_box()
        assert box is not None, name
        assert box["y"] >= 0, name
        assert box["y"] + box["height"] <= LAPTOP["height"], (name, box)
    expect(page.locator("#glance-alarms .alarm.warn")).to_contain_text("medium priority")
