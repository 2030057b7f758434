"""Real Chromium over a live server (issue 12 §3): a SynchroMed II at its elective replacement
indicator is replaced by a Prometra II through the pump's events page — the therapy carried over
and the new path primed — and the new pump's catheter is then revised. Screenshots are kept in
``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import implant_pump_with_patient_bolus
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in, new_page

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.library import reference_library
from thecal.domain.users import Actor, Role
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.pump_record import PumpState
from thecal.services.pumps import GetPump, get_pump
from thecal.simulation.faults import BatteryDepletion

pytestmark = pytest.mark.browser


def _at_eri(server: LiveServer, pump_id: str) -> None:
    """The twin's battery loses its service life at once: the pump is at its ERI (S50)."""
    clinic = server.clinic
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    pump = clinic.thecal.run(get_pump, GetPump(actor=physician, pump_id=pump_id))
    life = reference_library().pump(pump.model_id).service_life.value
    with clinic.thecal.uow() as uow:
        TwinStoreDriver.for_unit_of_work(uow, clock=clinic.clock).inject_fault(
            pump.serial, BatteryDepletion(lost=life)
        )
        uow.commit()
    snapshot = clinic.thecal.run_device(
        interrogate_pump, InterrogatePump(actor=physician, pump_id=pump_id)
    ).snapshot
    assert snapshot.eri_at is not None


def test_a_synchromed_at_eri_is_replaced_by_a_prometra_ii_then_its_catheter_revised(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    pump_id = implant_pump_with_patient_bolus(clinic)
    _at_eri(server, pump_id)
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{pump_id}")
    page.get_by_role("link", name="The pump's events").click()
    expect(page.locator("h1")).to_contain_text("Events in the life of pump NGP-E2E-001")

    page.get_by_label("Why").select_option("elective-replacement")
    page.get_by_label("New pump model").select_option("prometra-ii-20")
    page.get_by_label("New pump's serial number").fill("PII-BROWSER-1")
    page.get_by_label("Fill volume of the same admixture").fill("20 mL")
    page.screenshot(path=str(shots / "pump-replacement-form.png"), full_page=True)
    page.get_by_role("button", name="Replace the pump").click()

    expect(page.locator("h1")).to_contain_text("PII-BROWSER-1")
    history = page.locator("#device-events")
    expect(history).to_contain_text("Pump replacement")
    expect(history).to_contain_text("at its elective replacement indicator")
    expect(history).to_contain_text("the therapy is carried over at 5 mg/day")
    expect(history).to_contain_text("primed with 0.406 mL")
    page.screenshot(path=str(shots / "pump-replaced.png"), full_page=True)
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    old = clinic.thecal.run(get_pump, GetPump(actor=physician, pump_id=pump_id))
    assert old.state is PumpState.EXPLANTED
    new_pump_id = page.url.split("/pumps/")[1].split("/")[0]
    new = clinic.thecal.run(get_pump, GetPump(actor=physician, pump_id=new_pump_id))
    assert new.model_id == "prometra-ii-20"
    assert new.program == old.program

    clinic.clock.advance(hours=1)  # past the new pump's priming bolus; the session has expired
    log_in(page, server, "physician")
    page.goto(f"{server.url}/pumps/{new_pump_id}/events")
    page.get_by_label("New catheter").select_option("prometra-catheter")
    page.get_by_label("Implanted length (cm)").fill("45")
    page.get_by_label("Tip level").fill("T11")
    page.get_by_role("button", name="Record the revision and prime the catheter").click()
    expect(history).to_contain_text("Catheter revision")
    expect(history).to_contain_text("dead space 0.117 mL (was 0.156 mL)")
    expect(history).to_contain_text("the catheter alone primed with 0.117 mL")
    page.screenshot(path=str(shots / "catheter-revised.png"), full_page=True)
    revised = clinic.thecal.run(get_pump, GetPump(actor=physician, pump_id=new_pump_id))
    assert (revised.catheter_model_id, revised.catheter_length_cm) == ("prometra-catheter", 45)
