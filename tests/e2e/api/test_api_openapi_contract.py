"""The OpenAPI document against the app's behaviour (issue 18 §3), operation by operation:

* every operation is described (summary and description);
* an operation offers exactly the security schemes it accepts: those that do not offer a bearer
  token refuse one (403 THC-API-001), and the others answer a bearer token without that refusal;
* every state-changing operation that accepts the session cookie declares ``X-CSRF-Token``, and
  refuses a cookie-authenticated request without it (403 THC-WEB-001);
* ``Idempotency-Key`` is marked required exactly where leaving it out is 422 THC-INPUT-002.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import PASSWORD, Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in

from thecal.domain.users import Role

API = "/api/v1"
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('openapi')}/thecal.db")
    yield built
    built.thecal.close()


@pytest.fixture(scope="module")
def document(clinic: Clinic) -> dict[str, Any]:
    answer = clinic.client().get(f"{API}/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, items in document["paths"].items():
        if path.startswith(API):
            for method, operation in items.items():
                yield path, method, operation


def concrete(path: str) -> str:
    """A path with every parameter filled (ids no record has)."""
    return re.sub(r"\{[^}]+\}", "no-such-record", path)


def header(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next(
        (p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == name),
        None,
    )


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    undescribed = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if not operation.get("summary") or len(operation.get("description", "")) < 20
    ]
    assert undescribed == []


def test_an_operation_offers_a_bearer_token_only_where_it_accepts_one(
    clinic: Clinic, document: dict[str, Any]
) -> None:
    issued = log_in(clinic, "physician").post(
        f"{API}/users/{clinic.users[Role.PHYSICIAN]}/tokens",
        json={"label": "contract", "password": PASSWORD},
    )
    assert issued.status_code == 201, issued.text
    robot = clinic.client()
    robot.headers["Authorization"] = f"Bearer {issued.json()['token']}"
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=1)
    nurse = log_in(clinic, "nurse")
    proposed = nurse.post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={"daily_dose": "5.5 mg/day", "rationale": "contract"},
        headers={"Idempotency-Key": "contract-key-0001"},
    ).json()
    valid = {  # a body each session-only operation accepts, so only the scheme can refuse it
        "signature": {
            "password": PASSWORD,
            "diff_digest": proposed["diff_digest"],
            "acknowledged_warnings": [
                f["code"] for f in proposed["findings"] if f["severity"] == "warn"
            ],
        },
        "co-signature": {"password": PASSWORD, "diff_digest": proposed["diff_digest"]},
    }
    session_only = []
    for path, method, operation in operations(document):
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        if not schemes:
            continue
        url = concrete(path).replace("no-such-record", proposed["id"])
        body = valid.get(path.rsplit("/", 1)[-1], {})
        answer = robot.request(method.upper(), url, json=body if method in UNSAFE else None)
        refused = answer.status_code == 403 and answer.json().get("code") == "THC-API-001"
        label = f"{method.upper()} {path}"
        assert ("HTTPBearer" in schemes) is not refused, (label, schemes, answer.text)
        if "HTTPBearer" not in schemes:
            session_only.append(label)
            assert schemes == {"APIKeyCookie"}, label
            csrf = header(operation, "X-CSRF-Token")
            assert csrf is not None
            assert csrf["required"] is True, label
    assert sorted(session_only) == [
        f"POST {API}/program-changes/{{change_id}}/co-signature",
        f"POST {API}/program-changes/{{change_id}}/signature",
    ]


def test_every_cookie_authenticated_change_declares_and_needs_the_csrf_header(
    clinic: Clinic, document: dict[str, Any]
) -> None:
    session = log_in(clinic, "physician")
    del session.headers["X-CSRF-Token"]  # the cookie alone
    checked = 0
    for path, method, operation in operations(document):
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        if method not in UNSAFE or "APIKeyCookie" not in schemes or path.endswith("/logout"):
            continue
        label = f"{method.upper()} {path}"
        assert header(operation, "X-CSRF-Token") is not None, label
        answer = session.request(method.upper(), concrete(path), json={})
        assert answer.status_code == 403, (label, answer.text)
        assert answer.json()["code"] == "THC-WEB-001", (label, answer.text)
        checked += 1
    assert checked >= 20


def test_idempotency_key_is_required_exactly_where_leaving_it_out_is_422(
    clinic: Clinic, document: dict[str, Any]
) -> None:
    nurse = log_in(clinic, "nurse")
    pumps = nurse.get(f"{API}/pumps").json()["items"]
    if pumps:
        pump_id = pumps[0]["id"]
    else:  # the module's first pump: the implant moves the clinic's clock an hour on, past the
        # session's idle timeout, so the nurse logs in again after it
        pump_id = implant_pump_with_patient_bolus(clinic)
        nurse = log_in(clinic, "nurse")
    without_key = {  # complete bodies with no key: only the missing key can make them 422
        f"{API}/pumps/{{pump_id}}/program-changes": {"daily_dose": "5 mg/day"},
        f"{API}/pumps/{{pump_id}}/admixture-changes": {
            "drugs": [{"drug": "morphine", "concentration": "20 mg/mL"}],
            "daily_dose": "5 mg/day",
            "bridge": True,
        },
        f"{API}/pumps/{{pump_id}}/refills": {
            "expected_pump_version": 1,
            "verification_id": "ver-1",
            "ordered_volume": "20 mL",
            "lot_at_bedside": "LOT-1",
            "test_volume": "5 mL",
            "aspiration_returned": True,
            "checklist": {
                "needle_placement_confirmed": True,
                "aspiration_positive": True,
                "no_pocket_swelling_or_pain": True,
                "observed_for_overdose_symptoms": True,
            },
        },
    }
    required = set()
    for path, method, operation in operations(document):
        key = header(operation, "Idempotency-Key")
        if key is None:
            continue
        assert key["required"] is True, path
        assert "422" in key["description"]
        required.add(path)
        answer = nurse.request(
            method.upper(), path.replace("{pump_id}", pump_id), json=without_key[path]
        )
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["code"] == "THC-INPUT-002"
        assert answer.json()["fields"]["where"] == "Idempotency-Key"
    assert required == set(without_key)
