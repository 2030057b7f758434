"""The nurse's refill form takes the withdrawn and injected volumes as the nurse read them off the
syringes (issue 13 §6). The pump (the twin here) keeps its own figures: a reading within the
model's discrepancy threshold (1 mL for a SynchroMed II 20 mL, S75) is simply recorded, a reading
beyond it is a finding (ITS-REFILL-013) and never replaces the pump's figure."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from api_support import Clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_web_pages import browser_login, form_token


def _refill(clinic: Clinic, pump_id: str, readings: dict[str, str]) -> tuple[int, str]:
    pharmacist = log_in(clinic, "pharmacist")
    verified = pharmacist.post(
        f"/api/v1/pumps/{pump_id}/pharmacy-verifications",
        json={
            "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
            "volume": "20 mL",
            "lot": "LOT-READ-1",
            "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert verified.status_code == 201, verified.text
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/pumps/{pump_id}")
    assert 'id="withdrawn_ml"' in page.text
    assert 'id="injected_ml"' in page.text
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    answer = nurse.post(
        f"/pumps/{pump_id}/refills",
        data={
            "csrf_token": form_token(page.text, f"/pumps/{pump_id}/refills"),
            "pump_version": version.group(1),
            "verification_id": verified.json()["id"],
            "lot_at_bedside": "LOT-READ-1",
            "ordered_volume_ml": "20",
            "test_volume_ml": "5",
            **readings,
            "aspiration_returned": "yes",
            "needle_placement_confirmed": "yes",
            "aspiration_positive": "yes",
            "no_pocket_swelling_or_pain": "yes",
            "observed_for_overdose_symptoms": "yes",
        },
        follow_redirects=False,
    )
    if answer.status_code != 303:
        return answer.status_code, answer.text
    shown = nurse.get(answer.headers["location"])
    return shown.status_code, shown.text


def _residual_by_record(clinic: Clinic, pump_id: str) -> Decimal:
    pump = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}")
    assert pump.status_code == 200, pump.text
    return Decimal(pump.json()["reservoir_estimate_ml"])


@pytest.mark.parametrize(
    ("withdrawn_off_by", "injected", "flagged"),
    [
        (Decimal("0.2"), "20", set()),  # the syringes agree with the pump
        (Decimal(-3), "20", {"withdrawn"}),  # 3 mL less read than the pump measured
        (Decimal(0), "17", {"injected"}),  # 17 mL read injected, the pump was filled with 20
    ],
)
def test_the_nurses_readings_are_kept_and_a_gap_to_the_pump_is_a_finding(
    clinic: Clinic, withdrawn_off_by: Decimal, injected: str, flagged: set[str]
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    # the pump's own measurement stays within its accuracy band of the record (well under 1 mL
    # after 10 days), so the record's estimate stands in for what the syringe shows
    read = _residual_by_record(clinic, pump_id) + withdrawn_off_by
    status, page = _refill(
        clinic, pump_id, {"withdrawn_ml": f"{read:.1f}", "injected_ml": injected}
    )
    assert status == 200, page[-2000:]
    assert 'id="withdrawn-as-read"' in page
    assert 'id="injected-as-read"' in page
    assert ("the nurse read" in page and "withdrawn;" in page) == ("withdrawn" in flagged)
    assert ("the nurse read 17 mL injected" in page) == ("injected" in flagged)
    assert ("ITS-REFILL-013" in page) == bool(flagged)

    refills = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}/refills")
    [stored] = refills.json()["items"]
    assert Decimal(stored["withdrawn_as_read_ml"]) == Decimal(f"{read:.1f}")
    assert Decimal(stored["injected_as_read_ml"]) == Decimal(injected)
    # never an overwrite: the pump's measured residual and the fill stay the pump's figures
    assert Decimal(stored["reservoir_volume_ml"]) == Decimal(20)
    measured = Decimal(stored["withdrawn_residual_ml"])
    assert abs(measured - read) <= Decimal(1) or "withdrawn" in flagged
    assert measured != Decimal(f"{read:.1f}") or not flagged
    codes = {f["code"] for f in stored["findings"]}
    assert ("ITS-REFILL-013" in codes) == bool(flagged)


def test_a_missing_or_impossible_reading_is_refused_next_to_its_field(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    status, page = _refill(clinic, pump_id, {"injected_ml": "20"})  # no withdrawn residual
    assert status == 422
    assert 'id="withdrawn_ml-error"' in page or "withdrawn_ml" in page
    assert "enter a volume in mL" in page
    status, page = _refill(clinic, pump_id, {"withdrawn_ml": "50", "injected_ml": "20"})
    assert status == 422
    assert "withdrawn volume as read of 50 mL is above the" in page
    assert 'value="50"' in page  # what was typed is kept
    refills = log_in(clinic, "nurse").get(f"/api/v1/pumps/{pump_id}/refills")
    assert refills.json()["total"] == 0  # nothing was done
