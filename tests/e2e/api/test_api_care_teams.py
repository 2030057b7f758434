"""Care teams over HTTP on SQLite and PostgreSQL (SR-21, issue 15 §3): a clinician sees and acts on
their teams' patients only (reads, searches, pumps, program changes, the worklist); break the glass
opens one patient for a time with a reason, audited, with an alert on the administrators'
worklist; a clinic without teams is not scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import (
    Clinic,
    TestClient,
    add_user,
    build_clinic,
    implant_pump_with_patient_bolus,
)
from api_support import logged_in as log_in

from thecal.domain.users import Role

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _teams(clinic: Clinic) -> tuple[TestClient, str, str]:
    """Team Spine (physician, nurse; the own patient) and team Cancer (physician2, nurse2; the
    foreign patient). Returns the admin's client and the two team ids."""
    add_user(clinic, "physician2", Role.PHYSICIAN)
    add_user(clinic, "nurse2", Role.NURSE)
    admin = log_in(clinic, "admin")
    spine = _ok(admin.post(f"{API}/care-teams", json={"name": "Spine"}), 201)["id"]
    cancer = _ok(admin.post(f"{API}/care-teams", json={"name": "Cancer pain"}), 201)["id"]
    for team, people in ((spine, ("physician", "nurse")), (cancer, ("physician2", "nurse2"))):
        for username in people:
            _ok(admin.post(f"{API}/care-teams/{team}/members", json={"username": username}))
    _ok(admin.put(f"{API}/patients/{clinic.own_patient}/care-team", json={"team": "Spine"}))
    _ok(admin.put(f"{API}/patients/{clinic.foreign_patient}/care-team", json={"team": cancer}))
    return admin, spine, cancer


def test_a_clinic_without_care_teams_is_not_scoped(clinic: Clinic) -> None:
    nurse = log_in(clinic, "nurse")
    for patient in (clinic.own_patient, clinic.foreign_patient):
        _ok(nurse.get(f"{API}/patients/{patient}"))


def test_clinicians_reach_their_teams_patients_only(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)  # the own patient's pump
    clinic.clock.advance(days=1)
    admin, _, _ = _teams(clinic)
    listed = _ok(admin.get(f"{API}/care-teams"))["items"]
    assert [(t["name"], t["patients"]) for t in listed] == [("Cancer pain", 1), ("Spine", 1)]
    assert [m["username"] for m in listed[1]["members"]] == ["nurse", "physician"]

    nurse, nurse2 = log_in(clinic, "nurse"), log_in(clinic, "nurse2")
    _ok(nurse.get(f"{API}/patients/{clinic.own_patient}"))
    refused = _refused(nurse.get(f"{API}/patients/{clinic.foreign_patient}"), 403, "THC-TEAM-004")
    assert "break the glass" in refused["detail"]
    _ok(nurse.get(f"{API}/pumps/{pump_id}"))
    _refused(nurse2.get(f"{API}/pumps/{pump_id}"), 403, "THC-TEAM-004")
    proposal = nurse2.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={"daily_dose": "5.5 mg/day", "rationale": "pain above goal"},
        headers={"Idempotency-Key": "other-team-1"},
    )
    _refused(proposal, 403, "THC-TEAM-004")
    _refused(nurse2.post(f"{API}/pumps/{pump_id}/interrogations"), 403, "THC-TEAM-004")

    # lists and searches show the team's patients only
    found = {p["id"] for p in _ok(nurse.get(f"{API}/patients?birth_date=1960-05-17"))["items"]}
    assert found == {clinic.own_patient}
    found2 = {p["id"] for p in _ok(nurse2.get(f"{API}/patients?birth_date=1960-05-17"))["items"]}
    assert found2 == {clinic.foreign_patient}
    assert [p["id"] for p in _ok(nurse.get(f"{API}/pumps"))["items"]] == [pump_id]
    assert _ok(nurse2.get(f"{API}/pumps"))["items"] == []
    rows2 = _ok(nurse2.get(f"{API}/worklist?limit=100"))["items"]
    assert all(r["patient_id"] != clinic.own_patient for r in rows2), rows2

    # a new patient joins the registering clinician's team
    new = {
        "mrn": "NEW-1",
        "family_name": "Newman",
        "given_names": "Noa",
        "birth_date": "1970-01-02",
        "sex": "female",
    }
    registered = _ok(nurse.post(f"{API}/patients", json=new), 201)["id"]
    _ok(nurse.get(f"{API}/patients/{registered}"))
    _refused(nurse2.get(f"{API}/patients/{registered}"), 403, "THC-TEAM-004")

    # a clinician on no team reaches no record and may not register one it could not see
    add_user(clinic, "nurse3", Role.NURSE)
    nobody = log_in(clinic, "nurse3")
    _refused(nobody.get(f"{API}/patients/{clinic.own_patient}"), 403, "THC-TEAM-004")
    orphan = nobody.post(f"{API}/patients", json={**new, "mrn": "NEW-2"})
    _refused(orphan, 422, "THC-TEAM-002")

    # taking the nurse off the team closes its patients at once (the next request)
    _ok(admin.delete(f"{API}/care-teams/{listed[1]['id']}/members/nurse"))
    _refused(nurse.get(f"{API}/patients/{clinic.own_patient}"), 403, "THC-TEAM-004")


def test_break_the_glass_opens_one_patient_for_a_time_with_an_alert(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    admin, _, _ = _teams(clinic)
    nurse2 = log_in(clinic, "nurse2")
    url = f"{API}/patients/{clinic.own_patient}/break-glass"
    _refused(nurse2.post(url, json={"reason": "covering"}), 422, "THC-INPUT-002")  # < 10 chars
    _refused(
        nurse2.post(url, json={"reason": "covering the ward", "hours": 13}), 422, "THC-INPUT-002"
    )
    closed = _refused(nurse2.get(f"{API}/pumps/{pump_id}"), 403, "THC-TEAM-004")  # not opened
    assert closed["fields"]["patient_id"] == clinic.own_patient  # whose glass: the pump's patient
    _refused(
        log_in(clinic, "pharmacist").post(url, json={"reason": "a pharmacist may not do this"}),
        403,
        "THC-AUTH-001",
    )
    opened = _ok(
        nurse2.post(
            url, json={"reason": "Covering the Spine team tonight: pump alarm", "hours": 4}
        ),
        201,
    )
    assert dt.datetime.fromisoformat(opened["expires_at"]) - dt.datetime.fromisoformat(
        opened["opened_at"]
    ) == dt.timedelta(hours=4)
    _ok(nurse2.get(f"{API}/patients/{clinic.own_patient}"))
    _ok(nurse2.get(f"{API}/pumps/{pump_id}"))
    third = f"{API}/patients/{clinic.foreign_patient}"  # its own team's: reached anyway
    _ok(nurse2.get(third))

    with clinic.thecal.uow() as uow:
        entries = [e for e in uow.audit_log.entries() if e.action == "patient.break_glass"]
    assert len(entries) == 1
    assert entries[0].details["reason"] == "Covering the Spine team tonight: pump alarm"

    # the alert is on the administrators' worklist, not on the clinicians'
    alerts = _ok(admin.get(f"{API}/worklist"))["items"]
    assert [r["kind"] for r in alerts] == ["break-glass-review"]
    assert "Nurse Tester broke the glass for 4 h (until" in alerts[0]["detail"], alerts[0]
    kinds = {r["kind"] for r in _ok(log_in(clinic, "nurse").get(f"{API}/worklist"))["items"]}
    assert "break-glass-review" not in kinds
    review = admin.post(
        f"{API}/break-glass-reviews/{opened['review_task_id']}",
        json={"note": "Checked with the night physician: covering the ward"},
    )
    assert review.status_code == 204, review.text
    assert _ok(admin.get(f"{API}/worklist"))["items"] == []

    clinic.clock.advance(hours=4)  # the glass closes by itself (a new session: 4 h idle)
    later = log_in(clinic, "nurse2")
    _refused(later.get(f"{API}/patients/{clinic.own_patient}"), 403, "THC-TEAM-004")


def test_a_search_for_walker_finds_the_full_width_walker(clinic: Clinic) -> None:
    """Names are stored NFKC without bidi/zero-width characters and searched the same way."""
    nurse = log_in(clinic, "nurse")
    typed = {
        "mrn": "WIDE-1",
        "family_name": "Ｗａｌ\u200bｋｅｒ\u202e",
        "given_names": "Ｊｏ",
        "birth_date": "1955-03-04",
        "sex": "male",
    }
    registered = _ok(nurse.post(f"{API}/patients", json=typed), 201)
    assert (registered["family_name"], registered["given_names"]) == ("Walker", "Jo")
    for prefix in ("Walker", "walk", "ＷＡＬ"):
        found = _ok(nurse.get(f"{API}/patients", params={"family_name": prefix}))["items"]
        assert [p["id"] for p in found] == [registered["id"]], prefix
