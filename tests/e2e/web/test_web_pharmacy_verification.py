"""Pharmacy verification as an independent double check (issue 13 §6): the pharmacist types the
label on the pump page and a label that is not the order is refused naming the field, nothing
stored; the verification gets a short code with a check character that the nurse types (any case,
with or without the hyphen) and a typo in it is refused next to its field, nothing refilled."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from api_support import Clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_web_pages import browser_login, form_token

from thecal.domain.verification_code import ALPHABET, parse_code

CODE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")


def _verify_on_pump_page(clinic: Clinic, pump_id: str, concentration: str) -> httpx.Response:
    pharmacist = browser_login(clinic, "pharmacist")
    page = pharmacist.get(f"/pumps/{pump_id}")
    assert page.status_code == 200, page.text[-500:]
    action = f"/pumps/{pump_id}/pharmacy-verifications"
    assert 'name="concentration"' in page.text  # the label is typed, not taken from the record
    return pharmacist.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "drug": "morphine",
            "concentration": concentration,
            "volume": "20 mL",
            "lot": "LOT-CODE-1",
            "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow_redirects=False,
    )


def _verification_count(clinic: Clinic) -> int:
    audit = log_in(clinic, "admin").get(
        "/api/v1/audit", params={"action": "pharmacy.verify", "limit": 200}
    )
    assert audit.status_code == 200, audit.text
    return sum(1 for e in audit.json()["items"] if e["action"] == "pharmacy.verify")


def _refill(clinic: Clinic, pump_id: str, typed_code: str) -> httpx.Response:
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/pumps/{pump_id}")
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    return nurse.post(
        f"/pumps/{pump_id}/refills",
        data={
            "csrf_token": form_token(page.text, f"/pumps/{pump_id}/refills"),
            "pump_version": version.group(1),
            "verification_id": typed_code,
            "lot_at_bedside": "LOT-CODE-1",
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


def _refills(clinic: Clinic, pump_id: str) -> int:
    listed = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}/refills")
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


def test_a_label_with_another_concentration_is_refused_on_the_pump_page(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)  # morphine 25 mg/mL
    before = _verification_count(clinic)
    refused = _verify_on_pump_page(clinic, pump_id, "20 mg/mL")
    assert refused.status_code == 422, refused.text[-800:]
    assert "THC-PATH-025" in refused.text
    assert "the label says morphine 20 mg/mL, the order is morphine 25 mg/mL" in refused.text
    assert 'value="LOT-CODE-1"' in refused.text  # the form comes back as typed
    assert _verification_count(clinic) == before  # nothing stored


def test_the_nurse_finds_the_verification_by_its_typed_code(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    verified = _verify_on_pump_page(clinic, pump_id, "25 mg/mL")
    assert verified.status_code == 303, verified.text[-800:]
    code = verified.headers["location"].rsplit("/", 1)[1]
    assert CODE.fullmatch(code), code
    assert parse_code(code) == code  # its check character fits
    shown = browser_login(clinic, "pharmacist").get(verified.headers["location"])
    assert code in shown.text

    # one character mistyped: refused next to the code field, nothing refilled
    wrong = next(c for c in ALPHABET if c != code[0])
    typo = _refill(clinic, pump_id, wrong + code[1:])
    assert typo.status_code == 422, typo.text[-800:]
    assert "THC-PATH-026" in typo.text
    assert "check character" in typo.text
    assert _refills(clinic, pump_id) == 0

    # typed in lower case without the hyphen: found, and the refill is done
    done = _refill(clinic, pump_id, code.replace("-", "").lower())
    assert done.status_code == 303, done.text[-800:]
    assert _refills(clinic, pump_id) == 1
