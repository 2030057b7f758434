"""The program editor in real Chromium (issue 12 §1, "Done when"): a baclofen pump's program is
changed to a flex schedule typed in mcg, the drug's one unit. A patient bolus for baclofen is
blocked by the review with the library's source (no patient-activated boluses for baclofen,
peers:PTC6), nothing stored and the typed schedule kept; without it the schedule is signed,
co-signed by a second clinician, sent and confirmed by interrogation, and the twin runs each step
at its time of day and rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import answer_findings, log_in, new_page

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.admixture import Admixture
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.pumps import ImplantPump, implant_pump

pytestmark = pytest.mark.browser

SERIAL = "NGP-BAC-001"
STEPS = "00:00=200 mcg/day\n07:00=240 mcg/day\n21:00=200 mcg/day"


def implant_baclofen_pump(server: LiveServer) -> str:
    """A SynchroMed II with baclofen 500 mcg/mL at 200 mcg/day (0.4 mL/day), no patient bolus."""
    clinic = server.clinic
    baclofen = Admixture.single("baclofen", Concentration.from_mcg_per_ml(Decimal(500)))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN),
            patient_id=clinic.own_patient,
            pump_model_id="synchromed-ii-20",
            pump_serial=SERIAL,
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=baclofen,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(
                baclofen, DoseRate.from_mcg_per_day(Decimal(200))
            ),
        ),
    )
    return str(result.pump.id)


def baclofen_mcg_per_day(server: LiveServer, start: dt.datetime, end: dt.datetime) -> Fraction:
    """Baclofen reaching the catheter tip between ``start`` and ``end``, mcg/day: the twin's
    truth, read through the demo-mode driver in a transaction that is rolled back."""
    clinic = server.clinic
    with clinic.thecal.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clinic.clock).twin(SERIAL)
        twin.advance_to(start)
        before = Fraction(twin.truth.tip_mass["baclofen"].mcg)
        twin.advance_to(end)
        after = Fraction(twin.truth.tip_mass["baclofen"].mcg)
    return (after - before) / (Fraction((end - start).total_seconds()) / 86_400)


def test_a_baclofen_flex_schedule_in_mcg_is_co_signed_sent_and_confirmed(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    pump_id = implant_baclofen_pump(server)
    server.clinic.clock.advance(days=3)  # past the label's 24 h between titration steps

    physician = new_page(browser)
    log_in(physician, server, "physician")
    physician.goto(f"{server.url}/pumps/{pump_id}")
    editor = physician.locator("#program-editor")
    expect(editor).to_contain_text("in mcg (mcg/day for a rate)")
    expect(editor).to_contain_text("Baclofen intrathecal")
    editor.get_by_label("Or a flex schedule").fill(STEPS)
    editor.locator("#patient_bolus_set").check()
    editor.get_by_label("Bolus dose (mcg)").fill("25 mcg")
    editor.get_by_label("Delivered over").fill("10 min")
    editor.get_by_label("Lockout between boluses").fill("4 h")
    editor.get_by_label("Maximum boluses per 24 h").fill("2")
    editor.get_by_role("textbox", name="Reason").fill("Spasms on waking; more baclofen by day.")
    editor.get_by_role("button", name="Propose and review").click()

    # baclofen has no patient-activated bolus: the review blocks it with the library's source,
    # nothing is stored, and the form comes back with what was typed
    refusal = physician.locator("#proposal-error")
    expect(refusal).to_contain_text(f"pump {SERIAL} (nothing was stored)")
    expect(refusal).to_contain_text("ITS-BOLUS-001")
    expect(refusal).to_contain_text("which allows no patient boluses (peers:PTC6")
    expect(physician.locator("#steps")).to_have_value(STEPS)
    expect(physician.locator("#bolus_dose")).to_have_value("25 mcg")
    physician.screenshot(path=str(shots / "baclofen-bolus-blocked.png"), full_page=True)

    physician.locator('input[name="patient_bolus"][value="keep"]').check()
    physician.get_by_role("button", name="Propose and review").click()
    diff = physician.locator("table.diff")
    for shown in ("step 2 start", "07:00", "240 mcg/day", "step 3 start", "21:00"):
        expect(diff).to_contain_text(shown)
    expect(diff).not_to_contain_text("0.24 mg")
    expect(diff).not_to_contain_text("25200")  # 07:00 is not shown in seconds
    # the new refill date if sent now, and the limit that binds, beside today's
    refill = physician.locator("tr", has_text="next refill due (if sent now)").locator("td")
    today_due, new_due = refill.nth(0).inner_text(), refill.nth(1).inner_text()
    assert new_due < today_due, (today_due, new_due)  # more baclofen a day: refill sooner
    binds = physician.locator("tr", has_text="limit that binds").locator("td")
    expect(binds.nth(1)).to_have_text("low-reservoir alarm (minus margin)")
    physician.screenshot(path=str(shots / "baclofen-flex-review.png"), full_page=True)
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
    nurse.goto(f"{server.url}/pumps/{pump_id}")  # sent at the time the review page assumed
    expect(nurse.locator(".facts")).to_contain_text(new_due)

    nurse.goto(f"{server.url}/pumps/{pump_id}")
    nurse.get_by_role("button", name="Interrogate the pump").click()
    expect(nurse.get_by_text("is now confirmed")).to_be_visible()
    reported = nurse.locator("#interrogated-program")
    expect(reported).to_contain_text("07:00")
    expect(reported).to_contain_text("240")
    nurse.screenshot(path=str(shots / "baclofen-flex-confirmed.png"), full_page=True)

    # the twin runs each step from its time of day (UTC, the clinic's clock), at the scheduled
    # rate times the model's published delivery bias (+2.5 % per refill interval, S46)
    model = reference_library().pump("synchromed-ii-20")
    bias = model.bias_per_refill_pct or model.bias_cumulative_pct
    factor = 1 + Fraction(bias.value) / 100
    day = server.clinic.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    day += dt.timedelta(days=1)
    for start, end, scheduled in ((1, 6, 200), (8, 20, 240), (22, 23, 200)):
        delivered = baclofen_mcg_per_day(
            server, day + dt.timedelta(hours=start), day + dt.timedelta(hours=end)
        )
        assert abs(delivered / (scheduled * factor) - 1) < Fraction(1, 1000), (start, delivered)
