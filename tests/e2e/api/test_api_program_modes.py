"""The API's program editor for the other modes (issue 12 §1): a weekly flex schedule and a
single clinician bolus proposed with every setting in the diff; a periodic bolus refused on a
model that runs none, with its code and nothing stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def test_weekly_flex_and_single_bolus_proposed_periodic_refused(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)  # SynchroMed II 20 mL, morphine
    clinic.clock.advance(days=14)
    nurse = log_in(clinic, "nurse")
    url = f"{API}/pumps/{pump_id}/program-changes"
    periodic = nurse.post(
        url,
        json={
            "periodic_bolus": {"dose": "0.5 mg", "duration": "10 min", "every": "6 h"},
            "rationale": "x",
        },
        headers={"Idempotency-Key": "modes-periodic"},
    )
    assert periodic.status_code == 422
    assert periodic.json()["code"] == "THC-PATH-096"
    single_with_interval = nurse.post(
        url,
        json={
            "single_bolus": {"dose": "5 mg", "duration": "12 h", "every": "6 h"},
            "rationale": "x",
        },
        headers={"Idempotency-Key": "modes-single-bad"},
    )
    assert single_with_interval.status_code == 422
    assert single_with_interval.json()["code"] == "THC-PATH-094"
    assert nurse.get(url).json()["total"] == 0  # nothing stored

    weekly = nurse.post(
        url,
        json={"steps": ["Mon 00:00=5 mg/day", "day 6 00:00=6 mg/day"], "rationale": "weekend"},
        headers={"Idempotency-Key": "modes-weekly"},
    )
    assert weekly.status_code == 201, weekly.text
    new = {d["parameter"]: d["new"] for d in weekly.json()["diff"]}
    assert new["mode"] == "flex"
    assert new["step 2 start"] == "day 6 00:00"
    withdrawn = nurse.post(
        f"{API}/program-changes/{weekly.json()['id']}/withdrawal", json={"reason": "replaced"}
    )
    assert withdrawn.status_code == 200, withdrawn.text

    single = nurse.post(
        url,
        json={"single_bolus": {"dose": "5 mg", "duration": "12 h"}, "rationale": "bridge"},
        headers={"Idempotency-Key": "modes-single"},
    )
    assert single.status_code == 201, single.text
    rows = {d["parameter"]: d for d in single.json()["diff"]}
    assert rows["mode"]["old"] == "continuous"
    assert rows["mode"]["new"] == "single-bolus"
    assert rows["single bolus dose"]["old"] == "—" or rows["single bolus"]["old"] == "off"
    assert rows["single bolus dose"]["new"] in {"5 mg", "5000 mcg"}
