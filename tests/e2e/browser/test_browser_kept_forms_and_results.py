"""Real Chromium over a live server (issue 13 §5): the interrogation's result page reached by its
redirect, reloaded without a second interrogation, and a refused event form with the message next
to its field — both with no serious or critical axe-core violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import implant_pump_with_patient_bolus
from axe_playwright_python.sync_playwright import Axe
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_accessibility import serious
from test_browser_pages import log_in, new_page

from thecal.domain.authorization import Action
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.simulation.faults import MotorStall

pytestmark = pytest.mark.browser


def _interrogations(server: LiveServer) -> int:
    with server.clinic.thecal.uow() as uow:
        return sum(1 for e in uow.audit_log.entries() if e.action == Action.PUMP_INTERROGATE.value)


def test_the_interrogation_result_survives_a_reload_and_is_accessible(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    server.clinic.thecal.run_device(
        configure_twin, ConfigureTwin(serial="NGP-E2E-001", fault=MotorStall())
    )
    server.clinic.clock.advance(days=10)
    page = new_page(browser)
    log_in(page, server, "nurse")
    page.goto(f"{server.url}/pumps/{pump_id}")
    page.get_by_role("button", name="Interrogate the pump").click()
    result = page.locator("#interrogation-result")
    expect(result).to_contain_text("more than the record expected")
    expect(result).to_contain_text("a reservoir-discrepancy finding is on the worklist")
    assert "?interrogated=" in page.url
    page.reload()  # a GET: nothing is sent to the pump again
    expect(page.locator("#interrogation-result")).to_be_visible()
    assert _interrogations(server) == 1
    assert serious(Axe().run(page)) == []
    page.screenshot(path=str(shots / "pump-interrogation-result.png"), full_page=True)


def test_a_refused_replacement_keeps_the_form_with_the_message_at_the_field(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_pump_with_patient_bolus(server.clinic)
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{pump_id}/events")
    page.get_by_label("New pump's serial number").fill("PII-BROWSER-1")
    page.get_by_label("Fill volume of the same admixture (for example 20 mL)").fill("20")
    page.get_by_role("button", name="Replace the pump").click()
    volume = page.get_by_label("Fill volume of the same admixture (for example 20 mL)")
    expect(volume).to_have_value("20")
    expect(volume).to_have_attribute("aria-invalid", "true")
    expect(volume).to_be_focused()  # the field at fault takes the focus
    expect(page.locator("#fill_volume-error")).to_contain_text("THC-QTY-005")
    expect(page.get_by_label("New pump's serial number")).to_have_value("PII-BROWSER-1")
    assert serious(Axe().run(page)) == []
    page.screenshot(path=str(shots / "device-event-refused.png"), full_page=True)
