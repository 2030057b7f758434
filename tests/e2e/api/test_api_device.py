"""The device side over HTTP with real sessions and CSRF, on SQLite and PostgreSQL: a dose
increase proposed, signed and co-signed (each re-authenticated on the diff shown), sent and
confirmed by interrogation; a pharmacy-verified refill that catches an over-delivering pump;
idempotent replays, stale pump versions and strictly parsed quantities.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import (
    PASSWORD,
    Clinic,
    TestClient,
    add_user,
    build_clinic,
    implant_pump_with_patient_bolus,
)
from api_support import logged_in as log_in

from thecal.domain.audit import AuditEntry
from thecal.domain.forecast import RefillLimit
from thecal.domain.users import Role
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.simulation.faults import DeliveryError

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


@pytest.fixture
def pump_id(clinic: Clinic) -> str:
    return implant_pump_with_patient_bolus(clinic)


_DECIMALS = re.compile(r"\d\.(\d+)")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$")


def _at_documented_precision(value: Any, where: str = "") -> None:
    """No number in an answer carries more than 6 decimals (docs/web.md, "Precision"): computed
    volumes are rounded to 0.0001 mL, flows to 1 nL/day; only times have microseconds."""
    if isinstance(value, dict):
        for key, item in value.items():
            _at_documented_precision(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _at_documented_precision(item, f"{where}[{index}]")
    elif isinstance(value, str) and not _TIME.match(value):
        for decimals in _DECIMALS.findall(value):
            assert len(decimals) <= 6, (where, value)
    elif isinstance(value, float):
        assert len(repr(value).split(".")[-1]) <= 6, (where, value)


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    _at_documented_precision(body)
    return body


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _pump(client: TestClient, pump_id: str) -> dict[str, Any]:
    return _ok(client.get(f"{API}/pumps/{pump_id}"))


def _change(client: TestClient, change_id: str) -> dict[str, Any]:
    return _ok(client.get(f"{API}/program-changes/{change_id}"))


def _signature(change: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Answer every finding as a signer must: warnings acknowledged, overrides justified."""
    return {
        "password": PASSWORD,
        "diff_digest": change["diff_digest"],
        "acknowledged_warnings": [f["code"] for f in change["findings"] if f["severity"] == "warn"],
        "overrides": [
            {"finding_code": f["code"], "reason": "clinical-judgement", "text": "titration plan"}
            for f in change["findings"]
            if f["severity"] == "override"
        ],
        **extra,
    }


def _propose(client: TestClient, pump_id: str, dose: str, key: str) -> Any:
    return client.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={"daily_dose": dose, "rationale": "pain above goal"},
        headers={"Idempotency-Key": key},
    )


def test_a_dose_increase_is_signed_cosigned_sent_and_confirmed_by_interrogation(
    clinic: Clinic, pump_id: str
) -> None:
    clinic.clock.advance(days=1)  # a day after the implant (titration interval)
    nurse, physician = log_in(clinic, "nurse"), log_in(clinic, "physician")
    proposed = _ok(_propose(nurse, pump_id, "5.5 mg/day", "change-key-0001"), 201)
    assert proposed["state"] == "reviewed"
    changed = {e["parameter"]: (e["old"], e["new"]) for e in proposed["diff"] if e["changed"]}
    assert any("5.5" in new and "5" in old for old, new in changed.values()), changed
    assert all(f["severity"] != "block" for f in proposed["findings"])
    again = _ok(_propose(nurse, pump_id, "5.5 mg/day", "change-key-0001"), 200)
    assert (again["id"], again["replayed"]) == (proposed["id"], True)  # the first proposal
    change_url = f"{API}/program-changes/{proposed['id']}"

    wrong_digest = _signature(proposed, diff_digest="0" * 64)
    _problem(physician.post(f"{change_url}/signature", json=wrong_digest), 403, "THC-PATH-013")
    wrong_password = _signature(proposed, password="not my password at all")  # noqa: S106 - wrong on purpose
    _problem(physician.post(f"{change_url}/signature", json=wrong_password), 401, "THC-AUTH-011")
    unchanged = _change(physician, proposed["id"])
    assert (unchanged["state"], unchanged["version"]) == ("reviewed", proposed["version"])
    assert unchanged["signature"] is None

    signed = _ok(physician.post(f"{change_url}/signature", json=_signature(proposed)))
    assert signed["state"] == "signed"
    assert signed["signature"]["user_id"] == clinic.users[Role.PHYSICIAN]
    cosign = {"password": PASSWORD, "diff_digest": proposed["diff_digest"]}
    _problem(physician.post(f"{change_url}/co-signature", json=cosign), 403, "THC-PATH-016")
    refused = _problem(nurse.post(f"{change_url}/co-signature", json=cosign), 403, "THC-PATH-017")
    assert "proposed program change" in refused["detail"]  # the proposer may not co-sign
    assert _change(nurse, proposed["id"])["state"] == "signed"
    second_nurse_id = add_user(clinic, "nurse2", Role.NURSE)
    cosigned = _ok(log_in(clinic, "nurse2").post(f"{change_url}/co-signature", json=cosign))
    assert cosigned["state"] == "co-signed"
    assert cosigned["co_signature"]["user_id"] == second_nurse_id

    seen = _pump(nurse, pump_id)["version"]
    _ok(physician.post(f"{API}/pumps/{pump_id}/interrogations"), 201)  # the pump moved on
    stale = {"expected_pump_version": seen}
    _problem(nurse.post(f"{change_url}/sending", json=stale), 409, "THC-PUMP-002")
    assert _change(nurse, proposed["id"])["state"] == "co-signed"
    version = _pump(nurse, pump_id)["version"]
    assert version > seen
    sent = _ok(nurse.post(f"{change_url}/sending", json={"expected_pump_version": version}))
    assert (sent["state"], sent["send_outcomes"]) == ("sent", ["acknowledged"])

    clinic.clock.advance(minutes=5)
    reading = _ok(nurse.post(f"{API}/pumps/{pump_id}/interrogations"), 201)
    assert reading["program"]["daily_dose"] == "5.5 mg/day"
    assert reading["resolved_changes"] == [{"id": proposed["id"], "state": "confirmed"}]
    assert Decimal(reading["reservoir_estimate_ml"]) < Decimal(20)
    pump = _pump(nurse, pump_id)
    assert pump["program"]["daily_dose"] == "5.5 mg/day"
    assert pump["version"] > version
    listed = _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes?limit=5"))
    assert [(c["id"], c["state"]) for c in listed["items"]] == [(proposed["id"], "confirmed")]

    # every event has its time (issue 18 §2); the program runs from its send, not the reading
    confirmed = _change(nurse, proposed["id"])
    times = [
        dt.datetime.fromisoformat(confirmed[name])
        for name in ("proposed_at", "signed_at", "co_signed_at", "sent_at", "confirmed_at")
    ]
    assert times == sorted(times)
    assert times[-1] - times[-2] == dt.timedelta(minutes=5)
    assert confirmed["sent_at"] == sent["sent_at"] == confirmed["acknowledged_at"]
    assert confirmed["confirmed_at"] == reading["at"]
    assert confirmed["effective_from"] == confirmed["sent_at"] != confirmed["confirmed_at"]
    assert [t["to_state"] for t in confirmed["history"]] == [
        "proposed", "reviewed", "signed", "co-signed", "sent", "confirmed",
    ]  # fmt: skip
    assert sent["confirmed_at"] is None
    assert sent["effective_from"] is None
    assert pump["program_effective_from"] == confirmed["sent_at"]
    assert pump["program_since"] == confirmed["confirmed_at"]
    assert pump["reservoir_anchor"]["source"] == "interrogation"
    assert pump["last_reading"]["pump_count_ml"] == reading["reservoir_estimate_ml"]
    assert pump["last_reading"]["beyond_band"] is False
    page = nurse.get(f"/pumps/{pump_id}")
    assert page.status_code == 200, page.text
    assert "Running since" in page.text
    assert 'id="reservoir-by-record"' in page.text
    change_page = nurse.get(f"/pumps/{pump_id}/program-changes/{proposed['id']}")
    assert change_page.status_code == 200
    assert 'id="change-times"' in change_page.text
    assert "Confirmed by interrogation" in change_page.text


def _proposal_audit(clinic: Clinic) -> list[AuditEntry]:
    with clinic.thecal.uow() as uow:
        return [e for e in uow.audit_log.entries() if e.action.startswith("program.")]


def test_a_replayed_proposal_answers_200_with_the_same_change_and_proposes_nothing(
    clinic: Clinic, pump_id: str
) -> None:
    clinic.clock.advance(days=1)
    nurse = log_in(clinic, "nurse")
    first = _propose(nurse, pump_id, "5.5 mg/day", "replay-key-0001")
    proposed = _ok(first, 201)
    assert proposed["replayed"] is False
    assert first.headers["content-type"] == "application/json"

    replay = _ok(_propose(nurse, pump_id, "5.5 mg/day", "replay-key-0001"), 200)
    assert (replay["id"], replay["replayed"]) == (proposed["id"], True)
    assert {k: v for k, v in replay.items() if k != "replayed"} == {
        k: v for k, v in proposed.items() if k != "replayed"
    }
    audited = [(e.action, e.details.get("change_id")) for e in _proposal_audit(clinic)]
    assert audited == [  # the replay is a read of the change, not a second proposal
        ("program.propose", proposed["id"]),
        ("program.read", proposed["id"]),
    ]
    assert _proposal_audit(clinic)[-1].details["replayed"] is True
    listed = _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))
    assert [c["id"] for c in listed["items"]] == [proposed["id"]]  # nothing proposed twice

    # the key sent again with another dose, or by another clinician, is not a retry: 422, never
    # the first change replayed as if the second request had been done
    audited_before = len(_proposal_audit(clinic))
    another_dose = _problem(
        _propose(nurse, pump_id, "6 mg/day", "replay-key-0001"), 422, "THC-INPUT-003"
    )
    assert "replay-key-0001" in another_dose["detail"]
    assert "different program" in another_dose["detail"]
    physician = log_in(clinic, "physician")
    another_clinician = _problem(
        _propose(physician, pump_id, "5.5 mg/day", "replay-key-0001"), 422, "THC-INPUT-003"
    )
    assert "different proposer" in another_clinician["detail"]
    assert len(_proposal_audit(clinic)) == audited_before  # nothing replayed, nothing audited
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))["total"] == 1

    other = _ok(_propose(nurse, pump_id, "5.5 mg/day", "replay-key-0002"), 201)
    assert other["replayed"] is False
    assert other["id"] != proposed["id"]
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))["total"] == 2
    proposals = [e for e in _proposal_audit(clinic) if e.action == "program.propose"]
    assert [e.details["change_id"] for e in proposals] == [proposed["id"], other["id"]]


def test_the_openapi_document_says_a_proposal_is_201_and_its_replay_200(clinic: Clinic) -> None:
    schema = clinic.client().get(f"{API}/openapi.json").json()
    responses = schema["paths"][f"{API}/pumps/{{pump_id}}/program-changes"]["post"]["responses"]
    for status in ("200", "201"):
        body = responses[status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ProgramChangeProposalPublic"}, status
    proposal = schema["components"]["schemas"]["ProgramChangeProposalPublic"]
    assert "replayed" in proposal["required"]


def test_an_api_token_cannot_sign_or_cosign(clinic: Clinic, pump_id: str) -> None:
    physician_id = clinic.users[Role.PHYSICIAN]
    physician = log_in(clinic, "physician")
    issued = _ok(
        physician.post(
            f"{API}/users/{physician_id}/tokens", json={"label": "script", "password": PASSWORD}
        ),
        201,
    )
    robot = clinic.client()
    robot.headers["Authorization"] = f"Bearer {issued['token']}"
    clinic.clock.advance(days=1)
    proposed = _ok(_propose(log_in(clinic, "nurse"), pump_id, "5.5 mg/day", "token-key-01"), 201)
    url = f"{API}/program-changes/{proposed['id']}"
    refused = _problem(
        robot.post(f"{url}/signature", json=_signature(proposed)), 403, "THC-API-001"
    )
    assert "session" in refused["detail"]
    cosign = {"password": PASSWORD, "diff_digest": proposed["diff_digest"]}
    _problem(robot.post(f"{url}/co-signature", json=cosign), 403, "THC-API-001")
    after = _ok(robot.get(url))  # the token may read
    assert (after["state"], after["signature"]) == ("reviewed", None)


def _verification(client: TestClient, pump_id: str, **label: Any) -> Any:
    body = {
        "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
        "volume": "20 mL",
        "lot": "LOT-API-7",
        "beyond_use": "2026-04-30T12:00:00Z",
        **label,
    }
    return client.post(f"{API}/pumps/{pump_id}/pharmacy-verifications", json=body)


def _refill_body(verification_id: str, version: int, **changes: Any) -> dict[str, Any]:
    return {
        "expected_pump_version": version,
        "verification_id": verification_id,
        "ordered_volume": "20 mL",
        "lot_at_bedside": "LOT-API-7",
        "test_volume": "5 mL",
        "aspiration_returned": True,
        "checklist": {
            "needle_placement_confirmed": True,
            "aspiration_positive": True,
            "no_pocket_swelling_or_pain": True,
            "observed_for_overdose_symptoms": True,
        },
        **changes,
    }


def test_a_refill_of_an_over_delivering_pump_raises_the_discrepancy_and_replays_once(
    clinic: Clinic, pump_id: str
) -> None:
    serial = _pump(log_in(clinic, "nurse"), pump_id)["serial"]
    # the twin delivers 30 % more than it counts: less comes back than the pump expects
    clinic.thecal.run_device(
        configure_twin, ConfigureTwin(serial=serial, fault=DeliveryError(percent=Decimal(30)))
    )
    clinic.clock.advance(days=28)
    nurse, pharmacist = log_in(clinic, "nurse"), log_in(clinic, "pharmacist")
    verified = _ok(_verification(pharmacist, pump_id), 201)
    assert verified["drugs"] == [{"drug": "morphine", "concentration": "25 mg/mL"}]
    assert (verified["volume_ml"], verified["used_by_refill_id"]) == ("20", None)

    seen = _pump(nurse, pump_id)["version"]
    _ok(log_in(clinic, "physician").post(f"{API}/pumps/{pump_id}/interrogations"), 201)
    url = f"{API}/pumps/{pump_id}/refills"
    key = {"Idempotency-Key": "refill-key-0001"}
    stale = _refill_body(verified["id"], seen)  # another clinician changed the pump meanwhile
    _problem(nurse.post(url, json=stale, headers=key), 409, "THC-PUMP-002")
    assert _ok(nurse.get(url))["total"] == 0
    version = _pump(nurse, pump_id)["version"]

    refill = _ok(nurse.post(url, json=_refill_body(verified["id"], version), headers=key), 201)
    assert (refill["state"], refill["replayed"]) == ("completed", False)
    assert refill["verdict"] == "less-withdrawn-than-expected"
    expected, withdrawn = (
        Decimal(refill["expected_residual_ml"]),
        Decimal(refill["withdrawn_residual_ml"]),
    )
    assert withdrawn < expected
    assert Decimal(refill["discrepancy_ml"]) == expected - withdrawn
    assert "ITS-REFILL-007" in {f["code"] for f in refill["findings"]}
    assert refill["reservoir_volume_ml"] == "20"
    assert refill["next_refill_due"] is not None
    # the answer names the limit that sets the date and the margin (issue 18 §3)
    assert refill["next_refill_binding"] in {limit.value for limit in RefillLimit}
    assert refill["next_refill_detail"]
    assert refill["refill_margin_days"] == "7"
    pump_after = _pump(nurse, pump_id)
    assert pump_after["next_refill_due"] == refill["next_refill_due"]
    assert pump_after["next_refill_binding"] == refill["next_refill_binding"]
    assert pump_after["refill_margin_days"] == "7"
    alarm_at = dt.datetime.fromisoformat(pump_after["low_reservoir_alarm_at"])
    assert dt.datetime.fromisoformat(pump_after["reservoir_empty_at"]) > alarm_at
    if refill["next_refill_binding"] == RefillLimit.LOW_RESERVOIR_ALARM.value:
        due = dt.datetime.fromisoformat(refill["next_refill_due"])
        assert alarm_at - due == dt.timedelta(days=7)
    assert refill["opened_at"] == refill["completed_at"]  # one request: opened and completed
    assert refill["halted_at"] is None
    assert refill["history"][0]["action"] == "open"
    assert refill["history"][-1]["to_state"] == "completed"
    pump_after = _pump(nurse, pump_id)
    assert pump_after["next_refill_due"] is not None
    assert pump_after["version"] > version

    replay = _ok(nurse.post(url, json=_refill_body(verified["id"], version), headers=key))
    assert (replay["id"], replay["replayed"]) == (refill["id"], True)
    (read_back,) = [  # the replay showed the refill: audited as a read (SR-17), nothing performed
        e for e in _proposal_audit(clinic) if e.details.get("replayed") is True
    ]
    assert (read_back.action, read_back.details["refills"]) == ("program.read", [refill["id"]])
    with clinic.thecal.uow() as uow:
        performed = [e for e in uow.audit_log.entries() if e.action == "refill.perform"]
    assert len(performed) == 1
    assert replay["findings"] == refill["findings"]
    assert replay["discrepancy_ml"] == refill["discrepancy_ml"]
    listed = _ok(nurse.get(url))
    assert [r["id"] for r in listed["items"]] == [refill["id"]]
    for changed, named in (
        ({"ordered_volume": "18 mL"}, "ordered volume"),
        ({"test_volume": "4 mL"}, "test volume"),
        ({"aspiration_returned": False}, "aspiration result"),
    ):  # the key with another request: refused, never the first refill replayed
        body = _refill_body(verified["id"], version, **changed)
        refused = _problem(nurse.post(url, json=body, headers=key), 422, "THC-INPUT-003")
        assert f"different {named}" in refused["detail"], refused
    assert len([e for e in _proposal_audit(clinic) if e.details.get("replayed")]) == 1
    assert _pump(nurse, pump_id)["version"] == pump_after["version"]  # nothing done twice


@pytest.mark.parametrize(
    ("dose", "code"),
    [("0.5", "THC-QTY-005"), (".5 mg/day", "THC-QTY-002"), ("5 mg", "THC-QTY-012")],
)
def test_a_bad_daily_dose_is_refused_with_its_code_and_proposes_nothing(
    clinic: Clinic, pump_id: str, dose: str, code: str
) -> None:
    nurse = log_in(clinic, "nurse")
    version = _pump(nurse, pump_id)["version"]
    problem = _problem(_propose(nurse, pump_id, dose, "bad-dose-key-1"), 422, code)
    assert problem["fields"]["where"] == "daily_dose"
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))["total"] == 0
    assert _pump(nurse, pump_id)["version"] == version


def test_bad_label_and_refill_quantities_are_refused_with_their_codes(
    clinic: Clinic, pump_id: str
) -> None:
    pharmacist, nurse = log_in(clinic, "pharmacist"), log_in(clinic, "nurse")
    mass_for_concentration = [{"drug": "morphine", "concentration": "5 mg"}]
    refused = _problem(
        _verification(pharmacist, pump_id, drugs=mass_for_concentration), 422, "THC-QTY-012"
    )
    assert refused["fields"]["where"] == "drugs.0.concentration"
    _problem(_verification(pharmacist, pump_id, volume=".5 mL"), 422, "THC-QTY-002")
    _problem(_verification(pharmacist, pump_id, volume="0.5"), 422, "THC-QTY-005")
    verified = _ok(_verification(pharmacist, pump_id), 201)
    version = _pump(nurse, pump_id)["version"]
    url = f"{API}/pumps/{pump_id}/refills"
    for field, text, code in (
        ("ordered_volume", "0.5", "THC-QTY-005"),
        ("ordered_volume", ".5 mL", "THC-QTY-002"),
        ("test_volume", "5 mg", "THC-QTY-012"),
    ):
        body = _refill_body(verified["id"], version, **{field: text})
        headers = {"Idempotency-Key": f"bad-{field}-{code}"}
        problem = _problem(nurse.post(url, json=body, headers=headers), 422, code)
        assert problem["fields"]["where"] == field
    assert _ok(nurse.get(url))["total"] == 0
    assert _pump(nurse, pump_id)["version"] == version
    # the verification was not spent: it still fills the pump
    done = _ok(nurse.post(url, json=_refill_body(verified["id"], version), headers=headers), 201)
    assert done["state"] == "completed"


def test_a_request_without_an_idempotency_key_is_refused(clinic: Clinic, pump_id: str) -> None:
    nurse = log_in(clinic, "nurse")
    response = nurse.post(f"{API}/pumps/{pump_id}/program-changes", json={"daily_dose": "6 mg/day"})
    _problem(response, 422, "THC-INPUT-002")
    conflicting = nurse.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={"daily_dose": "6 mg/day", "idempotency_key": "body-key-0001"},
        headers={"Idempotency-Key": "header-key-0001"},
    )
    _problem(conflicting, 422, "THC-INPUT-002")
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))["total"] == 0


def test_a_patient_sees_their_own_pump_and_no_other(clinic: Clinic, pump_id: str) -> None:
    patient = log_in(clinic, "patient")
    mine = _ok(patient.get(f"{API}/patients/{clinic.own_patient}/pumps"))
    assert [p["id"] for p in mine["items"]] == [pump_id]
    pump = _pump(patient, pump_id)
    assert pump["program"]["daily_dose"] == "5 mg/day"
    assert Decimal(pump["reservoir_estimate_ml"]) < Decimal(pump["last_fill_volume_ml"])
    _problem(patient.get(f"{API}/patients/{clinic.foreign_patient}/pumps"), 403, "THC-AUTH-001")
    _problem(patient.get(f"{API}/pumps/{pump_id}/refills"), 403, "THC-AUTH-001")


def test_a_blocked_proposal_lists_its_blocking_findings_and_stores_nothing(
    clinic: Clinic, pump_id: str
) -> None:
    clinic.clock.advance(days=1)
    nurse = log_in(clinic, "nurse")
    problem = _problem(_propose(nurse, pump_id, "50 mg/day", "tenfold-key-01"), 422, "THC-PATH-011")
    assert problem["findings"], problem
    assert {f["severity"] for f in problem["findings"]} == {"block"}
    assert all(f["code"] in problem["detail"] for f in problem["findings"])
    assert _ok(nurse.get(f"{API}/pumps/{pump_id}/program-changes"))["total"] == 0
    # it names the pump and no change id (none was stored: an id would answer 404)
    assert "ident" not in problem["fields"], problem
    assert (
        problem["fields"]["pump_id"] == pump_id
    )  # the exact id for a program, the serial for people
    serial = _ok(nurse.get(f"{API}/pumps/{pump_id}"))["serial"]
    assert f"for pump {serial} (nothing was stored)" in problem["detail"]
    assert pump_id not in problem["detail"]
    assert "nothing was stored" in problem["detail"]


def test_a_label_that_does_not_match_the_pump_is_refused(clinic: Clinic, pump_id: str) -> None:
    pharmacist = log_in(clinic, "pharmacist")
    other = [{"drug": "morphine", "concentration": "10 mg/mL"}]
    refused = _problem(_verification(pharmacist, pump_id, drugs=other), 422, "THC-PATH-025")
    # the differing field, what the label says and what the order is (the pump runs 25 mg/mL)
    assert (
        "morphine concentration: the label says morphine 10 mg/mL, the order is morphine 25 mg/mL"
        in refused["detail"]
    ), refused
    expired = "2026-03-01T00:00:00Z"  # before the clinic's clock
    _problem(_verification(pharmacist, pump_id, beyond_use=expired), 409, "THC-PATH-023")


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ({"volume": "0 mL"}, "dispensed volume"),
        ({"volume": "1000000 mL"}, "dispensed volume"),  # was an unhandled overflow (500)
        ({"volume": "41 mL"}, "dispensed volume"),  # more than a SynchroMed II 20 holds
    ],
)
def test_an_implausible_label_is_refused_and_nothing_verified(
    clinic: Clinic, pump_id: str, label: dict[str, str], named: str
) -> None:
    pharmacist = log_in(clinic, "pharmacist")
    refused = _problem(_verification(pharmacist, pump_id, **label), 422, "THC-INPUT-001")
    assert named in refused["detail"]
    with clinic.thecal.uow() as uow:
        verified = [e for e in uow.audit_log.entries() if e.action == "pharmacy.verify"]
    assert verified == []  # nothing verified, nothing recorded
