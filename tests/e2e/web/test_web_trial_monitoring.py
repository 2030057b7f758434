"""Trial monitoring through the pages (issue 13 §7, issue 14 §8): an observation with respiratory
rate 8/min raises an alert on the trial page and on the worklist with the naloxone prompt and
blocks discharge; a missing sedation score blocks discharge; a later observation within the limits
clears it. On SQLite and PostgreSQL."""

from __future__ import annotations

from api_support import Clinic, TestClient
from test_web_pages import browser_login, form_token
from test_web_pathway_pages import (
    FIT_TO_LEAVE,
    plan_trial,
    trials_of,
    version_in,
)

from thecal.domain.trial import TrialState

DEPRESSED = {**FIT_TO_LEAVE, "respiratory_rate": "8", "spo2_pct": "88"}


def _administered(client: TestClient, clinic: Clinic) -> str:
    trial_id = plan_trial(client, clinic)
    page = client.get(f"/trials/{trial_id}")
    action = f"/trials/{trial_id}/administration"
    client.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": version_in(page.text, action),
        },
    )
    return trial_id


def _observe(client: TestClient, trial_id: str, data: dict[str, str]) -> str:
    page = client.get(f"/trials/{trial_id}")
    observe = f"/trials/{trial_id}/observations"
    done = client.post(observe, data={"csrf_token": form_token(page.text, observe), **data})
    assert done.status_code == 200, done.text[-1500:]
    return done.text


def _discharge(client: TestClient, trial_id: str) -> tuple[int, str]:
    page = client.get(f"/trials/{trial_id}")
    discharge = f"/trials/{trial_id}/discharge"
    done = client.post(
        discharge,
        data={
            "csrf_token": form_token(page.text, discharge),
            "expected_version": version_in(page.text, discharge),
        },
    )
    return done.status_code, done.text


def test_respiratory_rate_8_alerts_on_the_page_and_worklist_and_blocks_discharge(
    both: Clinic,
) -> None:
    clinic = both
    client = browser_login(clinic, "physician")
    trial_id = _administered(client, clinic)
    clinic.clock.advance(hours=1)
    client = browser_login(clinic, "physician")
    page = _observe(client, trial_id, {"pain_nrs": "2", **DEPRESSED})
    assert 'id="vital-sign-alert"' in page
    assert "not fit for discharge" in page
    assert "respiratory rate <strong>8/min</strong> (alert below 10/min, S39)" in page
    assert "SpO2 <strong>88 %</strong> (alert below 90 %, S39)" in page
    assert 'id="naloxone-prompt"' in page
    assert "naloxone 0.4–2 mg IV" in page

    worklist = client.get("/")
    assert "trial vital sign alert" in worklist.text
    assert "respiratory rate 8/min (alert below 10/min, S39)" in worklist.text
    assert "naloxone 0.4–2 mg IV" in worklist.text
    # the row, not the kind filter above the table, which names every kind
    row = worklist.text.split("<strong>trial vital sign alert</strong>")[0].rsplit("<tr", 1)[1]
    assert 'class="urgent"' in row

    clinic.clock.advance(hours=24)  # the observation period is over; the breathing is not
    client = browser_login(clinic, "physician")
    status, refused = _discharge(client, trial_id)
    assert status == 409
    assert "THC-PATH-035" in refused
    assert "respiratory rate 8/min" in refused
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.state is TrialState.ADMINISTERED

    without_sedation = {k: v for k, v in FIT_TO_LEAVE.items() if k != "sedation"}
    _observe(client, trial_id, without_sedation)
    status, refused = _discharge(client, trial_id)
    assert status == 409
    assert "THC-PATH-032" in refused
    assert "has no sedation score" in refused

    cleared = _observe(client, trial_id, FIT_TO_LEAVE)
    assert 'id="vital-sign-alert"' not in cleared
    status, discharged = _discharge(client, trial_id)
    assert status == 200, discharged[-1500:]
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.state is TrialState.DISCHARGED
