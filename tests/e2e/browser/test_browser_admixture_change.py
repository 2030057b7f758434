"""Real Chromium over a live server (issue 12 §2 done-when): a concentration change at a refill
with a bridge bolus. A physician proposes morphine 10 → 20 mg/mL at 5 mg/day with a bridge and
signs it, a nurse co-signs, the pharmacist verifies the new syringe by typing its label, the nurse
refills with it; the test reads the twin's dose at the catheter tip through the demo-mode driver
(the persisted twin behind the server) and finds it within 1 % of the prescribed 5 mg/day in every
2-day window through the change; the interrogation on the pump page confirms the change.

A Prometra II: no modelled accuracy bias (S62, S63), 2 µL strokes (a 2-day window holds ≥ 250).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in, new_page

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.pumps import ImplantPump, implant_pump

pytestmark = pytest.mark.browser

SERIAL = "PII-BROWSER-1"
WINDOW = dt.timedelta(days=2)
STEP = dt.timedelta(hours=3)


def _implant(server: LiveServer) -> str:
    clinic = server.clinic
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN),
            patient_id=clinic.own_patient,
            pump_model_id="prometra-ii-20",
            pump_serial=SERIAL,
            catheter_model_id="prometra-catheter",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=morphine,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(morphine, DoseRate.from_mg_per_day(5)),
        ),
    )
    return str(result.pump.id)


def _tip_mg_per_day(server: LiveServer, start: dt.datetime, days: int) -> list[Fraction]:
    """Morphine at the tip, mg/day, per WINDOW from ``start`` every STEP for ``days`` days —
    the twin's truth, read through the driver in a transaction that is rolled back."""
    clinic = server.clinic
    with clinic.thecal.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clinic.clock).twin(SERIAL)
        marks: list[tuple[dt.datetime, Fraction]] = []
        at = start
        while at <= start + dt.timedelta(days=days) + WINDOW:
            twin.advance_to(at)
            mass = twin.truth.tip_mass.get("morphine")
            marks.append((at, Fraction(mass.mcg) / 1000 if mass else Fraction(0)))
            at += STEP
    per = dict(marks)
    window_days = Fraction(WINDOW.total_seconds()) / 86_400
    return [(per[at + WINDOW] - mg) / window_days for at, mg in marks if at + WINDOW in per]


def _sign(page: Any, button: str) -> None:
    for box in page.locator('input[name="acknowledge"]').all():
        box.check()
    for text in page.locator("textarea[name^='override_text_']").all():
        text.fill("smaller refill volume, same dose")
    page.locator('input[name="password"]').fill("correct horse battery staple")
    page.get_by_role("button", name=button, exact=True).click()


def test_a_concentration_change_at_a_refill_with_a_bridge_keeps_the_tip_dose(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    pump_id = _implant(server)
    clinic.clock.advance(days=20)

    physician = new_page(browser)
    log_in(physician, server, "physician")
    physician.goto(f"{server.url}/pumps/{pump_id}")
    physician.get_by_role("link", name="Change the admixture at the next refill").click()
    physician.get_by_label("Drug (the primary drug").select_option("morphine")
    physician.get_by_label("Concentration, with its unit (for example").fill("20 mg/mL")
    physician.get_by_label("Daily dose of the primary drug").fill("5 mg/day")
    physician.get_by_label("Bridge: push the old admixture").check()
    physician.get_by_label("Reason").fill("smaller refill volume, same dose")
    physician.get_by_role("button", name="Propose and review").click()
    expect(physician.locator("table.diff")).to_contain_text("morphine 5 mg/day for 19 h 29 min")
    expect(physician.locator("table.diff")).to_contain_text("0.406 mL at 0.5 mL/day")
    change_url = physician.url
    physician.screenshot(path=str(shots / "admixture-change-diff.png"), full_page=True)
    _sign(physician, "Sign")
    expect(physician.locator("h1")).to_contain_text("signed")

    nurse = new_page(browser)
    log_in(nurse, server, "nurse")
    nurse.goto(change_url)
    _sign(nurse, "Co-sign")
    expect(nurse.locator("#at-refill")).to_be_visible()

    pharmacist = new_page(browser)
    log_in(pharmacist, server, "pharmacist")
    pharmacist.goto(f"{server.url}/pumps/{pump_id}")
    pharmacist.get_by_role("link", name="Verify a new admixture").click()
    pharmacist.get_by_label("Drug (the primary drug").select_option("morphine")
    pharmacist.get_by_label("Concentration, with its unit (for example").fill("20 mg/mL")
    pharmacist.get_by_label("Volume dispensed").fill("20 mL")
    pharmacist.get_by_label("Lot").fill("LOT-BR-20")
    beyond_use = clinic.clock.now() + dt.timedelta(days=60)
    pharmacist.get_by_label("Beyond-use date and time").fill(beyond_use.strftime("%Y-%m-%dT%H:%M"))
    pharmacist.get_by_role("button", name="Verify").click()
    number = pharmacist.locator("#verification-id").inner_text()

    nurse.goto(change_url)
    nurse.get_by_role("link", name="Refill with the new admixture").click()
    nurse.get_by_label("Pharmacy verification number").fill(number)
    nurse.get_by_label("Lot at the bedside").fill("LOT-BR-20")
    nurse.get_by_label("Volume to inject").fill("20 mL")
    nurse.get_by_label("Residual withdrawn, as you read it off the syringe", exact=False).fill(
        "17 mL"
    )
    nurse.get_by_label("Volume injected, as you read it off the syringe", exact=False).fill("20 mL")
    for item in (
        "Test volume aspirated back",
        "Needle placement confirmed",
        "Aspiration positive",
        "No pocket swelling or pain",
        "Observed for overdose symptoms",
    ):
        nurse.get_by_label(item).check()
    refilled_at = clinic.clock.now()
    nurse.get_by_role("button", name="Refill and send the new program").click()
    expect(nurse.locator("h1")).to_contain_text("sent")
    nurse.screenshot(path=str(shots / "admixture-change-sent.png"), full_page=True)

    doses = _tip_mg_per_day(server, refilled_at, days=3)
    worst = max(abs(dose / 5 - 1) for dose in doses)
    assert worst <= Fraction(1, 100), [float(d) for d in doses]

    clinic.clock.advance(days=3)
    log_in(nurse, server, "nurse")  # three days on: a new session
    nurse.goto(f"{server.url}/pumps/{pump_id}")
    nurse.get_by_role("button", name="Interrogate the pump").click()
    expect(nurse.get_by_text("is now confirmed")).to_be_visible()
    expect(nurse.locator("#interrogated-program")).to_contain_text("20 mg/mL")
