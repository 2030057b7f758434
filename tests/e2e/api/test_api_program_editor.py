"""The API's program editor and withdrawal (issue 12 §1, §4): a flex schedule with a patient bolus,
a dose in the wrong unit refused with its code and nothing stored, a pending change withdrawn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in

API = "/api/v1"

FLEX = {
    "steps": ["00:00=4 mg/day", "08:00=6 mg/day", "20:00=4 mg/day"],
    "patient_bolus": {"dose": "0.2 mg", "duration": "10 min", "lockout": "4 h", "max_per_day": 3},
    "low_reservoir_alarm": "3 mL",
    "rationale": "more cover through the day",
}


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def test_a_flex_program_is_proposed_and_withdrawn(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=14)
    nurse = log_in(clinic, "nurse")
    wrong = nurse.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={**FLEX, "steps": ["00:00=4 mg/day", "08:00=6000 mcg/day"]},
        headers={"Idempotency-Key": "editor-wrong"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "THC-PATH-090"
    listed = nurse.get(f"{API}/pumps/{pump_id}/program-changes").json()
    assert listed["total"] == 0  # nothing stored
    proposed = nurse.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json=FLEX,
        headers={"Idempotency-Key": "editor-flex"},
    )
    assert proposed.status_code == 201, proposed.text
    change = proposed.json()
    new = {d["parameter"]: d["new"] for d in change["diff"]}
    assert new["mode"] == "flex"
    assert new["step 3 start"] != "—"
    assert new["patient bolus max per day"] == "3"
    blank = nurse.post(f"{API}/program-changes/{change['id']}/withdrawal", json={"reason": ""})
    assert blank.status_code == 422
    withdrawn = nurse.post(
        f"{API}/program-changes/{change['id']}/withdrawal", json={"reason": "patient declined"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    again = nurse.post(
        f"{API}/program-changes/{change['id']}/withdrawal", json={"reason": "patient declined"}
    )
    assert again.status_code == 409
