"""An error page names the real cause (issue 13 §5): a refill with a syringe past its beyond-use
date is refused with that cause, not "Someone else changed this first", which only a version
conflict (the pump changed since the page was read) says; nothing is refilled either way."""

from __future__ import annotations

import datetime as dt
import re

from api_support import Clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_web_pages import browser_login, form_token


def _verified(clinic: Clinic, pump_id: str, *, good_for: dt.timedelta) -> str:
    answer = log_in(clinic, "pharmacist").post(
        f"/api/v1/pumps/{pump_id}/pharmacy-verifications",
        json={
            "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
            "volume": "20 mL",
            "lot": "LOT-WEB-9",
            "beyond_use": (clinic.clock.now() + good_for).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _refill(clinic: Clinic, pump_id: str, verification_id: str, *, version_shift: int = 0) -> str:
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/pumps/{pump_id}")
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    answer = nurse.post(
        f"/pumps/{pump_id}/refills",
        data={
            "csrf_token": form_token(page.text, f"/pumps/{pump_id}/refills"),
            "pump_version": str(int(version.group(1)) + version_shift),
            "verification_id": verification_id,
            "lot_at_bedside": "LOT-WEB-9",
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
    assert answer.status_code == 409, answer.text[-800:]
    return answer.text


def _refills(clinic: Clinic, pump_id: str) -> int:
    listed = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}/refills")
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


def test_an_expired_syringe_is_refused_for_its_beyond_use_date(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    verification_id = _verified(clinic, pump_id, good_for=dt.timedelta(days=1))
    clinic.clock.advance(days=2)  # the syringe is now past its beyond-use date
    page = _refill(clinic, pump_id, verification_id)
    assert "Someone else changed this first" not in page
    assert "beyond-use date" in page
    assert "LOT-WEB-9" in page
    assert "THC-PATH-023" in page
    assert _refills(clinic, pump_id) == 0


def test_a_pump_changed_since_the_page_was_read_says_someone_else_changed_it(
    clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    verification_id = _verified(clinic, pump_id, good_for=dt.timedelta(days=30))
    page = _refill(clinic, pump_id, verification_id, version_shift=-1)
    assert "Someone else changed this first" in page
    assert "THC-PUMP-002" in page
    assert _refills(clinic, pump_id) == 0


def _refill_form(page: str) -> str:
    form = re.search(
        r'<form method="post" action="/pumps/[^"]+/refills" id="refill-form">.*?</form>',
        page,
        re.DOTALL,
    )
    assert form, "the refill form is not on the page"
    return form.group(0)


def test_an_expired_syringe_keeps_the_nurses_refill_form(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    verification_id = _verified(clinic, pump_id, good_for=dt.timedelta(days=1))
    clinic.clock.advance(days=2)
    form = _refill_form(_refill(clinic, pump_id, verification_id))
    assert 'id="form-refusal"' in form  # the cause on the form itself, the form as it was sent
    assert "THC-PATH-023" in form
    assert f'value="{verification_id}"' in form
    assert 'value="LOT-WEB-9"' in form
    assert 'value="20"' in form
    assert form.count('value="yes" checked') == 5  # every tick kept


def test_a_wrong_lot_is_named_next_to_the_lot_and_nothing_is_refilled(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    verification_id = _verified(clinic, pump_id, good_for=dt.timedelta(days=30))
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/pumps/{pump_id}")
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    answer = nurse.post(
        f"/pumps/{pump_id}/refills",
        data={
            "csrf_token": form_token(page.text, f"/pumps/{pump_id}/refills"),
            "pump_version": version.group(1),
            "verification_id": verification_id,
            "lot_at_bedside": "LOT-OTHER",
            "ordered_volume_ml": "20",
            "withdrawn_ml": "17",
            "injected_ml": "20",
            "test_volume_ml": "5",
            "aspiration_returned": "yes",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 409
    form = _refill_form(answer.text)
    assert 'id="lot_at_bedside-error"' in form
    assert "LOT-OTHER" in form
    assert 'aria-describedby="lot_at_bedside-error"' in form
    assert _refills(clinic, pump_id) == 0
