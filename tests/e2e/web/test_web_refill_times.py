"""A refill through the page shows when it was opened and completed, the next refill date with
the limit that sets it and the clinic's margin (issue 18 §2, §3)."""

from __future__ import annotations

import datetime as dt
import re

from api_support import Clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_web_pages import browser_login, form_token


def test_a_refill_page_shows_its_times_the_binding_limit_and_the_margin(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    pharmacist = log_in(clinic, "pharmacist")
    verified = pharmacist.post(
        f"/api/v1/pumps/{pump_id}/pharmacy-verifications",
        json={
            "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
            "volume": "20 mL",
            "lot": "LOT-WEB-1",
            "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert verified.status_code == 201, verified.text
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/pumps/{pump_id}")
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    answer = nurse.post(
        f"/pumps/{pump_id}/refills",
        data={
            "csrf_token": form_token(page.text, f"/pumps/{pump_id}/refills"),
            "pump_version": version.group(1),
            "verification_id": verified.json()["id"],
            "lot_at_bedside": "LOT-WEB-1",
            "ordered_volume_ml": "20",
            "withdrawn_ml": "17",
            "injected_ml": "20",
            "test_volume_ml": "5",
            "aspiration_returned": "yes",
            "needle_placement_confirmed": "yes",
            "aspiration_positive": "yes",
            "no_pocket_swelling_or_pain": "yes",
            "observed_for_overdose_symptoms": "yes",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text  # post/redirect/get (issue 13 §5)
    location = answer.headers["location"]
    assert re.fullmatch(rf"/pumps/{pump_id}/refills/[A-Za-z0-9_-]+", location)
    answer = nurse.get(location)
    assert answer.status_code == 200, answer.text
    assert 'id="refill-times"' in answer.text
    assert "<dt>Opened</dt>" in answer.text
    assert "<dt>Completed</dt>" in answer.text
    assert "7-day margin before the projected low-reservoir alarm" in answer.text
    assert nurse.get(location).text.count("<dt>Completed</dt>") == 1  # the page reads it again
    refills = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}/refills")
    assert refills.status_code == 200, refills.text
    assert refills.json()["total"] == 1  # reading the result twice refilled nothing


def test_an_unknown_refill_of_a_pump_is_not_found(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    nurse = browser_login(clinic, "nurse")
    missing = nurse.get(f"/pumps/{pump_id}/refills/no-such-refill")
    assert missing.status_code == 404
    assert "THC-FLOW-404" in missing.text
