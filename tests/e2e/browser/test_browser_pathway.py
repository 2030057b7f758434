"""Real Chromium over a live server: a physician runs an intrathecal trial from the plan to the
decision through the pages, mostly with the keyboard; a patient records today's pain in the diary.
Screenshots of each page are kept in ``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_pages import log_in, new_page

from thecal.domain.instruments import Instrument
from thecal.domain.trial import TrialDecision, TrialState
from thecal.domain.users import Actor, Role
from thecal.services.assessments import ListAssessments, list_assessments
from thecal.services.trial_history import GetTrialHistory, get_trial_history

pytestmark = pytest.mark.browser


def _physician(server: LiveServer) -> Actor:
    return Actor(user_id=server.clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _back_after_the_idle_timeout(page: Any, server: LiveServer, url: str) -> None:
    """Hours pass on the clinic clock: the session has expired, so log in again."""
    log_in(page, server, "physician")
    page.goto(url)


def _record_fit_observation(page: Any, *, pain: str) -> None:
    page.get_by_label("Pain (NRS 0–10)").fill(pain)
    page.get_by_label("Sedation (POSS)").select_option("1")
    page.get_by_label("Respiratory rate /min").fill("14")
    page.get_by_label("SpO2 %").fill("97")
    page.get_by_label("Heart rate /min").fill("72")
    page.get_by_label("Systolic BP mmHg").fill("128")
    page.get_by_role("button", name="Record observation").click()


def test_a_physician_plans_and_runs_a_trial_to_a_decision_with_the_keyboard(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    clinic = server.clinic
    page = new_page(browser)
    log_in(page, server, "physician")
    page.goto(f"{server.url}/patients/{clinic.own_patient}")
    page.get_by_role("link", name="Plan an intrathecal trial").click()
    expect(page.locator("h1")).to_contain_text("Plan an intrathecal trial")

    page.get_by_label("Drug").select_option("morphine")
    page.get_by_label("Trial dose").fill(".3 mg")  # a naked decimal: refused with its code
    page.get_by_label("Spinal level").fill("L3-L4")
    page.get_by_label("Baseline pain now").fill("8")
    page.get_by_label("Baseline function score").fill("40")
    page.screenshot(path=str(shots / "trial-plan-form.png"), full_page=True)
    page.get_by_label("Baseline function score").press("Enter")  # keyboard submission
    expect(page.get_by_text("THC-QTY-002")).to_be_visible()
    page.screenshot(path=str(shots / "trial-plan-naked-decimal.png"), full_page=True)
    assert (
        clinic.thecal.run(
            get_trial_history,
            GetTrialHistory(actor=_physician(server), patient_id=clinic.own_patient),
        )
        == ()
    )

    page.go_back()
    page.get_by_label("Trial dose").fill("0.3 mg")
    page.get_by_label("Trial dose").press("Enter")
    expect(page.locator("h1")).to_contain_text("planned")
    trial_url = page.url
    page.screenshot(path=str(shots / "trial-planned.png"), full_page=True)

    given = page.get_by_role("button", name="The dose is given now")
    given.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("administered")

    clinic.clock.advance(hours=2)
    _back_after_the_idle_timeout(page, server, trial_url)
    page.get_by_label("Pain (NRS 0–10)").fill("3")
    page.keyboard.press("Tab")
    page.keyboard.type("55")  # function score, the next field
    page.get_by_label("Sedation (POSS)").select_option("1")
    page.get_by_label("Respiratory rate /min").fill("14")
    page.get_by_label("SpO2 %").fill("97")
    page.get_by_label("Heart rate /min").fill("72")
    page.get_by_label("Systolic BP mmHg").fill("128")
    page.get_by_label("Side effects (one per line)").fill("pruritus")
    page.get_by_role("button", name="Record observation").click()
    expect(page.locator("#pain-reduction")).to_have_text("62.5 %")

    page.get_by_role("button", name="Discharge the patient").click()
    expect(page.get_by_role("alert")).to_contain_text("THC-PATH-031")
    page.screenshot(path=str(shots / "trial-discharge-refused.png"), full_page=True)

    clinic.clock.advance(hours=23)
    _back_after_the_idle_timeout(page, server, trial_url)
    _record_fit_observation(page, pain="3")  # relief still there: sustained ≥ 8 h (S40)
    page.get_by_role("button", name="Discharge the patient").click()
    expect(page.locator("h1")).to_contain_text("discharged")
    expect(page.locator("#trial-result")).to_have_text("Successful trial.")

    page.get_by_label("implant", exact=True).check()
    page.get_by_label("Rationale").fill("62.5 % relief, function up 15 points, pruritus tolerable")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision")).to_contain_text("implant")
    page.screenshot(path=str(shots / "trial-decided.png"), full_page=True)

    [trial] = clinic.thecal.run(
        get_trial_history, GetTrialHistory(actor=_physician(server), patient_id=clinic.own_patient)
    )
    assert trial.state is TrialState.DECIDED
    assert trial.decision is TrialDecision.IMPLANT
    assert [o.pain_nrs for o in trial.observations] == [3, 3]


def test_a_patient_fills_the_pain_diary_with_the_keyboard(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    page = new_page(browser)
    log_in(page, server, "patient")
    expect(page.locator("h1")).to_contain_text("Hello")
    page.get_by_label("0 — no pain").focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # a radio group moves with the arrow keys
    page.keyboard.press("Tab")  # on to "Save today's pain"
    page.keyboard.press("Enter")
    expect(page.locator("#saved")).to_contain_text("pain diary entry")
    expect(page.locator("#diary")).to_contain_text("6")
    expect(page.locator("#pain-chart")).to_be_visible()
    page.screenshot(path=str(shots / "portal-pain-diary.png"), full_page=True)

    page.get_by_role("link", name="Patient Global Impression of Change (PGIC)").click()
    page.get_by_label("much improved", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#questionnaire-history")).to_contain_text("much improved (2 of 7)")
    page.screenshot(path=str(shots / "portal-questionnaire.png"), full_page=True)

    clinic = server.clinic
    found = clinic.thecal.run(
        list_assessments,
        ListAssessments(
            actor=Actor(
                user_id=clinic.users[Role.PATIENT], role=Role.PATIENT, patient_id=clinic.own_patient
            ),
            patient_id=clinic.own_patient,
        ),
    )
    assert {a.instrument: a.scores for a in found} == {
        Instrument.NRS: {"pain": "6"},
        Instrument.PGIC: {"category": "2"},
    }
