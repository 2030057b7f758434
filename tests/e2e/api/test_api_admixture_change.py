"""A drug rotation at a refill over HTTP (issue 12 §2), on SQLite and PostgreSQL: morphine →
hydromorphone with a bridge bolus proposed and signed by a physician (overrides justified) and co-signed
on the diff that holds the bridge, refused by /sending, the new admixture verified by the
pharmacist, carried by the refill and confirmed by interrogation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import PASSWORD, Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_api_device import _ok, _problem, _pump, _signature

API = "/api/v1"
HYDROMORPHONE = [{"drug": "hydromorphone", "concentration": "5 mg/mL"}]
CHECKLIST = {
    "needle_placement_confirmed": True,
    "aspiration_positive": True,
    "no_pocket_swelling_or_pain": True,
    "observed_for_overdose_symptoms": True,
}


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _label(clinic: Clinic, drugs: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "drugs": drugs,
        "volume": "20 mL",
        "lot": "LOT-HM",
        "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).isoformat(),
    }


def test_a_rotation_to_hydromorphone_with_a_bridge_over_http(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=10)
    nurse, physician = log_in(clinic, "nurse"), log_in(clinic, "physician")
    pharmacist = log_in(clinic, "pharmacist")
    verify_url = f"{API}/pumps/{pump_id}/pharmacy-verifications"
    refused = _problem(
        pharmacist.post(verify_url, json=_label(clinic, HYDROMORPHONE)), 422, "THC-PATH-025"
    )
    assert "the label says hydromorphone, the order is morphine" in refused["detail"], refused

    body = {"drugs": HYDROMORPHONE, "daily_dose": "0.75 mg/day", "bridge": True}
    _problem(
        nurse.post(f"{API}/pumps/{pump_id}/admixture-changes", json=body), 422, "THC-INPUT-002"
    )
    headers = {"Idempotency-Key": "rotation-1"}
    proposed = _ok(
        physician.post(f"{API}/pumps/{pump_id}/admixture-changes", json=body, headers=headers), 201
    )
    assert proposed["state"] == "reviewed", proposed["findings"]
    codes = {f["code"] for f in proposed["findings"]}
    assert {"ITS-ROT-002", "ITS-PUMP-001"} <= codes  # a rotation; not approved for the pump
    rows = {e["parameter"]: (e["old"], e["new"]) for e in proposed["diff"] if e["changed"]}
    assert rows["primary drug"] == ("morphine", "hydromorphone")
    assert rows["patient bolus"][1] == "off"  # its dose was in morphine
    assert rows["bridge bolus"][1].endswith("(the old admixture at the old dose)")
    assert rows["at the tip until the new admixture arrives"][1].startswith("morphine ")
    again = physician.post(f"{API}/pumps/{pump_id}/admixture-changes", json=body, headers=headers)
    assert (_ok(again)["id"], again.json()["replayed"]) == (proposed["id"], True)
    no_bridge = {**body, "bridge": False}  # the key with another request: not a retry (422)
    refused = physician.post(
        f"{API}/pumps/{pump_id}/admixture-changes", json=no_bridge, headers=headers
    )
    assert "different bridge" in _problem(refused, 422, "THC-INPUT-003")["detail"]

    change_url = f"{API}/program-changes/{proposed['id']}"
    assert _ok(physician.post(f"{change_url}/signature", json=_signature(proposed)))["state"]
    cosign = {"password": PASSWORD, "diff_digest": proposed["diff_digest"]}
    assert _ok(nurse.post(f"{change_url}/co-signature", json=cosign))["state"] == "co-signed"
    version = _pump(nurse, pump_id)["version"]
    sending = nurse.post(f"{change_url}/sending", json={"expected_pump_version": version})
    _problem(sending, 409, "THC-PATH-080")
    waiting = _ok(nurse.get(f"{API}/pumps/{pump_id}/admixture-changes"))
    assert [c["id"] for c in waiting["items"]] == [proposed["id"]]

    verified = _ok(pharmacist.post(verify_url, json=_label(clinic, HYDROMORPHONE)), 201)
    refill = {
        "expected_pump_version": version,
        "verification_id": verified["id"],
        "ordered_volume": "20 mL",
        "lot_at_bedside": "LOT-HM",
        "test_volume": "5 mL",
        "aspiration_returned": True,
        "checklist": CHECKLIST,
        "program_change_id": proposed["id"],
    }
    done = _ok(
        nurse.post(
            f"{API}/pumps/{pump_id}/refills",
            json=refill,
            headers={"Idempotency-Key": "refill-rotation-1"},
        ),
        201,
    )
    assert done["state"] == "completed"
    assert done["program_change_id"] == proposed["id"]  # the refill names the change it sent
    assert _ok(nurse.get(change_url))["state"] == "sent"
    listed = _ok(nurse.get(f"{API}/pumps/{pump_id}/refills"))["items"]
    newest = listed[0]
    assert (newest["id"], newest["program_change_id"]) == (done["id"], proposed["id"])

    clinic.clock.advance(days=3)  # after the bridge: the dead space holds hydromorphone
    nurse = log_in(clinic, "nurse")  # a new session three days on
    _ok(nurse.post(f"{API}/pumps/{pump_id}/interrogations"), 201)
    assert _ok(nurse.get(change_url))["state"] == "confirmed"
    pump = _pump(nurse, pump_id)
    assert [c["drug"] for c in pump["admixture"]] == ["hydromorphone"]
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/admixture-changes"))["items"] == []
