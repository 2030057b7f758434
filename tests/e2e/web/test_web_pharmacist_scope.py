"""Pharmacists see the refills they verify (SR-21, issue 15 §3), not every patient: the patients
with a pump in the clinic's care, on the API and the pages, care teams or not; a patient with no
pump is refused by name (THC-TEAM-005) and found by no search. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from api_support import (
    Clinic,
    implant_pump_with_patient_bolus,
    logged_in,
)
from test_web_pages import browser_login

API = "/api/v1"


def _put_on_a_team(clinic: Clinic) -> None:
    """A care team with the physician and the own patient: pharmacists are on no team."""
    admin = logged_in(clinic, "admin")
    team = admin.post(f"{API}/care-teams", json={"name": "Spine"})
    assert team.status_code == 201, team.text
    added = admin.post(f"{API}/care-teams/{team.json()['id']}/members", json={"username": "nurse"})
    assert added.status_code == 200, added.text
    assigned = admin.put(f"{API}/patients/{clinic.own_patient}/care-team", json={"team": "Spine"})
    assert assigned.status_code == 200, assigned.text


@pytest.mark.parametrize("teams", [False, True], ids=["no-teams", "teams"])
def test_a_pharmacist_sees_the_patients_whose_refills_they_verify_only(
    both: Clinic, *, teams: bool
) -> None:
    clinic = both
    pump_id = implant_pump_with_patient_bolus(clinic)  # the own patient's; the other has none
    if teams:
        _put_on_a_team(clinic)
    own, pumpless = clinic.own_patient, clinic.foreign_patient

    api = logged_in(clinic, "pharmacist")
    assert api.get(f"{API}/patients/{own}").status_code == 200
    assert api.get(f"{API}/pumps/{pump_id}").status_code == 200
    refused = api.get(f"{API}/patients/{pumpless}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "THC-TEAM-005"
    assert "no pump in the clinic's care" in refused.json()["detail"]
    found = api.get(f"{API}/patients?family_name=o")  # Owens and Forde both match
    assert found.status_code == 200
    assert [p["id"] for p in found.json()["items"]] == [own]
    assert api.get(f"{API}/patients?mrn=FOREIGN-1").json()["items"] == []
    assert api.get(f"{API}/patients/{pumpless}/pumps").status_code == 403
    assert api.get(f"{API}/patients/{own}/pumps").status_code == 200

    web = browser_login(clinic, "pharmacist")
    assert web.get(f"/pumps/{pump_id}").status_code == 200
    assert "Owens, Alex" in web.get(f"/pumps/{pump_id}").text
    page = web.get(f"/patients/{pumpless}")
    assert page.status_code == 403
    assert "THC-TEAM-005" in page.text
    assert "/break-glass" not in page.text  # no glass for pharmacists
    listed = web.get("/patients?family_name=o")
    assert "Owens" in listed.text
    assert "Forde" not in listed.text

    # the nurse of the clinic (on the team when there is one) still reads both
    nurse = logged_in(clinic, "nurse")
    assert nurse.get(f"{API}/patients/{own}").status_code == 200
    assert nurse.get(f"{API}/patients/{pumpless}").status_code == (403 if teams else 200)
