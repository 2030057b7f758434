"""Real Chromium (issue 13 §7 done-when): a trial observation with respiratory rate 8/min shows
the vital-sign alert with the naloxone prompt on the trial page, the trial cannot be discharged,
and the alert is on the worklist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in, new_page
from test_browser_pathway import _back_after_the_idle_timeout, _physician

from thecal.domain.trial import TrialState
from thecal.services.trial_history import GetTrialHistory, get_trial_history

pytestmark = pytest.mark.browser


def test_respiratory_rate_8_cannot_be_discharged_and_the_alert_is_on_the_worklist(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/patients/{clinic.own_patient}/trials/new")
    page.get_by_label("Drug").select_option("morphine")
    page.get_by_label("Trial dose").fill("0.3 mg")
    page.get_by_label("Spinal level").fill("L3-L4")
    page.get_by_label("Baseline pain now").fill("8")
    page.get_by_role("button", name="Plan the trial").click()
    expect(page.locator("h1")).to_contain_text("planned")
    trial_url = page.url
    page.get_by_role("button", name="The dose is given now").click()
    expect(page.locator("h1")).to_contain_text("administered")

    clinic.clock.advance(hours=3)
    _back_after_the_idle_timeout(page, server, trial_url)
    page.get_by_label("Pain (NRS 0–10)").fill("2")
    page.get_by_label("Sedation (POSS)").select_option("2")
    page.get_by_label("Respiratory rate /min").fill("8")
    page.get_by_label("SpO2 %").fill("88")
    page.get_by_label("Heart rate /min").fill("58")
    page.get_by_label("Systolic BP mmHg").fill("112")
    page.get_by_role("button", name="Record observation").click()
    alert = page.locator("#vital-sign-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("not fit for discharge")
    expect(alert).to_contain_text("respiratory rate 8/min (alert below 10/min, S39)")
    expect(page.locator("#naloxone-prompt")).to_contain_text("naloxone 0.4–2 mg IV")
    page.screenshot(path=str(shots / "trial-vital-sign-alert.png"), full_page=True)

    clinic.clock.advance(hours=24)  # the observation period is over, the alert is not
    _back_after_the_idle_timeout(page, server, trial_url)
    page.get_by_role("button", name="Discharge the patient").click()
    expect(page.get_by_text("THC-PATH-035")).to_be_visible()
    [trial] = clinic.thecal.run(
        get_trial_history, GetTrialHistory(actor=_physician(server), patient_id=clinic.own_patient)
    )
    assert trial.state is TrialState.ADMINISTERED

    page.goto(f"{server.url}/")
    row = page.locator("tr", has_text="trial vital sign alert")
    expect(row).to_be_visible()
    expect(row).to_contain_text("respiratory rate 8/min")
    expect(row).to_contain_text("naloxone")
    expect(row.locator(".pill")).to_contain_text("urgent")
    page.screenshot(path=str(shots / "worklist-trial-alert.png"), full_page=True)
