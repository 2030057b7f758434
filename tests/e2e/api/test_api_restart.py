"""A restart after a long interruption over HTTP, on SQLite and PostgreSQL (issue 12 §3): four
days without morphine, the restart is reviewed as an opioid-naive new start and is not sent on the
physician's word: it is a program change of kind restart that the physician signs, that the same
physician may not co-sign, that a nurse co-signs, and that is sent and confirmed by interrogation.
A second restart while it waits is refused (THC-PATH-069)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import PASSWORD, Clinic, TestClient, build_clinic, implant_program
from api_support import logged_in as log_in

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _implant(clinic: Clinic) -> str:
    """A SynchroMed II with morphine 10 mg/mL at 2 mg/day for the patient user's own record."""
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
    program = InfusionProgram.continuous(morphine, DoseRate.from_mg_per_day(2))
    return implant_program(clinic, program, serial="NGP-E2E-RESTART")


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _version(client: TestClient, pump_id: str) -> int:
    return int(_ok(client.get(f"{API}/pumps/{pump_id}"))["version"])


def _restart(client: TestClient, pump_id: str) -> Any:
    return client.post(
        f"{API}/delivery-restarts",
        json={
            "pump_id": pump_id,
            "expected_pump_version": _version(client, pump_id),
            "daily_dose": "0.5 mg/day",
            "respiratory_monitoring_hours": 24,
            "naloxone_available": True,
        },
    )


def test_a_restart_as_a_new_start_is_signed_and_co_signed_before_it_is_sent(
    clinic: Clinic,
) -> None:
    pump_id = _implant(clinic)
    clinic.clock.advance(days=2)
    nurse = log_in(clinic, "nurse")
    _ok(
        nurse.post(
            f"{API}/delivery-interruptions",
            json={
                "pump_id": pump_id,
                "expected_pump_version": _version(nurse, pump_id),
                "reason": "infection",
            },
        ),
        201,
    )
    clinic.clock.advance(days=4)  # sessions end: log in again
    nurse, physician = log_in(clinic, "nurse"), log_in(clinic, "physician")
    event = _ok(_restart(physician, pump_id), 201)
    assert event["facts"]["as_new_start"] == "yes"
    change_id = event["facts"]["program_change_id"]
    again = _restart(physician, pump_id)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "THC-PATH-069"

    change_url = f"{API}/program-changes/{change_id}"
    change = _ok(nurse.get(change_url))
    assert (change["kind"], change["state"]) == ("restart", "reviewed")
    listed = _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))
    assert [(c["id"], c["kind"]) for c in listed["items"]] == [(change_id, "restart")]
    stopped = _ok(nurse.get(f"{API}/pumps/{pump_id}"))
    assert stopped["program"]["mode"] == "stopped"

    signature = {
        "password": PASSWORD,
        "diff_digest": change["diff_digest"],
        "acknowledged_warnings": [f["code"] for f in change["findings"] if f["severity"] == "warn"],
        "overrides": [],
    }
    assert _ok(physician.post(f"{change_url}/signature", json=signature))["state"] == "signed"
    cosign = {"password": PASSWORD, "diff_digest": change["diff_digest"]}
    same = physician.post(f"{change_url}/co-signature", json=cosign)
    assert same.status_code == 403, same.text
    assert same.json()["code"] == "THC-PATH-016"  # the signer may not co-sign
    early = nurse.post(
        f"{change_url}/sending", json={"expected_pump_version": _version(nurse, pump_id)}
    )
    assert early.status_code == 409, early.text  # not co-signed: nothing sent
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}"))["program"]["mode"] == "stopped"

    assert _ok(nurse.post(f"{change_url}/co-signature", json=cosign))["state"] == "co-signed"
    sent = _ok(
        nurse.post(
            f"{change_url}/sending", json={"expected_pump_version": _version(nurse, pump_id)}
        )
    )
    assert sent["state"] == "sent"
    clinic.clock.advance(minutes=5)
    reading = _ok(nurse.post(f"{API}/pumps/{pump_id}/interrogations"), 201)
    assert reading["program"]["daily_dose"] in {"0.5 mg/day", "500 mcg/day"}
    assert _ok(nurse.get(change_url))["state"] == "confirmed"
