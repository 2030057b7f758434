"""The operator's view of a running clinic: /healthz, /readyz and /metrics answer; a refill shows
in the metrics (latency by route template, device commands by outcome, the worklist by kind, the
audit group commit); request logs are JSON with a request id and carry no PHI."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import (
    Clinic,
    TestClient,
    build_clinic,
    implant_pump_with_patient_bolus,
    logged_in,
)
from sqlalchemy import delete, update

from thecal.adapters.observability.logs import configure_logging, reset_logging
from thecal.adapters.sql.database import downgrade_database
from thecal.adapters.sql.tables.audit import audit_chain_head
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.entrypoints.api import create_app
from thecal.services.audit import CheckChainAtStart, check_chain_at_start

API = "/api/v1"
TOKEN = "metrics-token-for-tests-0123456789abcdef"  # noqa: S105 - a test's token


@pytest.fixture
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ops')}/thecal.db"
    built = build_clinic(url, metrics_token=TOKEN)
    yield built
    built.thecal.close()


def _checks(response: Any) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in response.json()["checks"]}


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the Prometheus text format (None: not there)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        assert match is not None, line
        if match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def _scrape(clinic: Clinic) -> str:
    response = clinic.client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


def test_healthz_answers_while_the_process_runs(clinic: Clinic) -> None:
    response = clinic.client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_readyz_is_ready_on_a_current_database_with_a_verifying_chain(clinic: Clinic) -> None:
    clinic.thecal.run(check_chain_at_start, CheckChainAtStart())  # what `thecal serve` does first
    response = clinic.client().get("/readyz")
    assert response.status_code == 200, response.text
    checks = _checks(response)
    assert list(checks) == ["database", "schema", "audit_chain", "audit_checkpoint"]
    assert all(check["ok"] for check in checks.values())
    assert "current" in checks["schema"]["detail"]
    assert checks["audit_chain"]["detail"].startswith("head verifies")
    assert checks["audit_checkpoint"]["detail"].endswith("0 min old")


def test_readyz_is_not_ready_without_a_recent_checkpoint(clinic: Clinic) -> None:
    response = clinic.client().get("/readyz")  # no `thecal serve`: no checkpoint was written
    assert response.status_code == 503
    checkpoint = _checks(response)["audit_checkpoint"]
    assert (checkpoint["ok"], checkpoint["detail"]) == (
        False,
        "no checkpoint yet (`thecal serve` writes one)",
    )
    clinic.thecal.run(check_chain_at_start, CheckChainAtStart())
    assert clinic.client().get("/readyz").status_code == 200
    clinic.clock.advance(minutes=31)  # two 15-minute intervals without a checkpoint
    stale = _checks(clinic.client().get("/readyz"))["audit_checkpoint"]
    assert not stale["ok"]
    assert "is 31 min old, more than 30 min" in stale["detail"]


def test_readyz_is_not_ready_on_a_database_behind_the_code_and_names_the_command(
    clinic: Clinic,
) -> None:
    downgrade_database(clinic.thecal.engine, "-1")
    response = clinic.client().get("/readyz")
    assert response.status_code == 503
    schema = _checks(response)["schema"]
    assert not schema["ok"]
    assert "behind" in schema["detail"]
    assert "thecal db upgrade" in schema["detail"]


def test_readyz_is_not_ready_when_the_chain_head_does_not_verify(clinic: Clinic) -> None:
    other_key = Settings(
        database_url=clinic.thecal.settings.database_url,
        audit_key="another-key-0123456789abcdef0123456789",  # type: ignore[arg-type]
        env="test",
    )
    wrong = bootstrap(other_key, clock=clinic.clock, engine=clinic.thecal.engine)
    response = TestClient(create_app(wrong)).get("/readyz")
    assert response.status_code == 503
    chain = _checks(response)["audit_chain"]
    assert (chain["ok"], chain["detail"].split(" (")[0]) == (
        False,
        "the head entry's HMAC does not verify with this key",
    )
    with clinic.thecal.engine.begin() as connection:  # a head that names a missing entry
        connection.execute(update(audit_chain_head).values(last_sequence=10_000))
    chain = _checks(clinic.client().get("/readyz"))["audit_chain"]
    assert not chain["ok"]
    assert "missing" in chain["detail"]
    with clinic.thecal.engine.begin() as connection:  # no head row at all: named, not a 500
        connection.execute(delete(audit_chain_head))
    response = clinic.client().get("/readyz")
    assert response.status_code == 503
    assert _checks(response)["audit_chain"]["detail"] == "the recorded head row is missing"


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(
    clinic: Clinic, tmp_path_factory: pytest.TempPathFactory
) -> None:
    wrong = clinic.client().get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "thecal_" not in wrong.text
    assert clinic.client().get("/metrics").status_code == 401
    plain = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('off')}/thecal.db")
    try:
        off = plain.client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert off.status_code == 404
        assert "THECAL_METRICS_TOKEN" in off.text
    finally:
        plain.thecal.close()


def _refill(clinic: Clinic, pump_id: str) -> dict[str, Any]:
    clinic.clock.advance(days=28)
    nurse, pharmacist = logged_in(clinic, "nurse"), logged_in(clinic, "pharmacist")
    label = {
        "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
        "volume": "20 mL",
        "lot": "LOT-OPS-1",
        "beyond_use": "2026-04-30T12:00:00Z",
    }
    verified = pharmacist.post(f"{API}/pumps/{pump_id}/pharmacy-verifications", json=label)
    assert verified.status_code == 201, verified.text
    version = nurse.get(f"{API}/pumps/{pump_id}").json()["version"]
    body = {
        "expected_pump_version": version,
        "verification_id": verified.json()["id"],
        "ordered_volume": "20 mL",
        "lot_at_bedside": "LOT-OPS-1",
        "test_volume": "5 mL",
        "aspiration_returned": True,
        "checklist": {
            "needle_placement_confirmed": True,
            "aspiration_positive": True,
            "no_pocket_swelling_or_pain": True,
            "observed_for_overdose_symptoms": True,
        },
    }
    done = nurse.post(
        f"{API}/pumps/{pump_id}/refills", json=body, headers={"Idempotency-Key": "ops-refill-1"}
    )
    assert done.status_code == 201, done.text
    refill: dict[str, Any] = done.json()
    return refill


def test_a_scrape_after_a_refill_finds_it(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    before = _scrape(clinic)
    route = "/api/v1/pumps/{pump_id}/refills"
    assert _sample(before, "thecal_http_request_duration_seconds_count", route=route) is None
    # the implant plans the first refill from the forecast of the fill (issue 18)
    assert _sample(before, "thecal_worklist_items", kind="refill-due") == 1
    assert _sample(before, "thecal_worklist_items", kind="low-reservoir") == 1

    _refill(clinic, pump_id)
    nurse = logged_in(clinic, "nurse")
    assert nurse.get(f"{API}/worklist").status_code == 200  # an audited read: group commit
    assert nurse.get(f"{API}/pumps/{pump_id}/nope").status_code == 404

    after = _scrape(clinic)
    count = "thecal_http_request_duration_seconds_count"
    assert _sample(after, count, method="POST", route=route, status="201") == 1
    for command in ("withdraw_residual", "inject"):  # the refill's two commands to the pump
        label = {"command": command, "outcome": "ok"}
        was = _sample(before, "thecal_device_commands_total", **label) or 0
        assert _sample(after, "thecal_device_commands_total", **label) == was + 1
    assert (_sample(after, "thecal_audit_append_seconds_count") or 0) >= 1
    assert _sample(after, count, method="GET", route="unmatched", status="404") == 1
    assert _sample(after, "thecal_http_errors_total", route="unmatched", kind="client") == 1
    assert _sample(after, "thecal_worklist_items", kind="refill-due") == 1  # the next refill
    assert _sample(after, "thecal_worklist_items_due", kind="refill-overdue") == 0
    assert _sample(after, "thecal_worklist_read_ok") == 1
    assert f"/pumps/{pump_id}" not in after  # templates only, never a path with an id


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("json", stream=stream)
    yield stream
    reset_logging()


def test_request_logs_are_json_with_the_request_id_and_no_phi(
    clinic: Clinic, json_log: io.StringIO
) -> None:
    physician = logged_in(clinic, "physician")
    # the patient search carries PHI in its query; the record page shows name, MRN and birth date
    searches = [
        ("/patients", {"family_name": "Owens"}),
        ("/patients", {"mrn": "OWN-1"}),
        ("/patients", {"birth_date": "1960-05-17"}),
        (f"{API}/patients", {"family_name": "Owens"}),
        (f"{API}/patients", {"mrn": "OWN-1", "birth_date": "1960-05-17"}),
    ]
    ids = []
    for path, query in searches:
        response = physician.get(path, params=query)
        assert response.status_code == 200, response.text
        assert "Owens" in response.text  # the answer shows it: the log must not
        ids.append(response.headers["x-request-id"])
    page = physician.get(f"/patients/{clinic.own_patient}")
    assert page.status_code == 200
    assert "OWN-1" in page.text
    ids.append(page.headers["x-request-id"])
    given = physician.get("/healthz", headers={"X-Request-ID": "proxy-req-42"})
    assert given.headers["x-request-id"] == "proxy-req-42"

    # the test's own HTTP client (httpx) logs its URLs in this process too: not the server's
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    lines = [line for line in lines if line["logger"] != "httpx"]
    assert lines
    requests = [line for line in lines if line["event"] == "request"]
    assert [line["request_id"] for line in requests[-len(ids) :]] == ids
    for line in requests:
        assert {"timestamp", "level", "logger", "pid", "method", "route", "status"} <= set(line)
    routes = {line["route"] for line in requests}
    assert {"/patients", f"{API}/patients", "/patients/{patient_id}"} <= routes
    text = "\n".join(json.dumps(line) for line in lines)
    for phi in ("Owens", "OWN-1", "1960-05-17", "1960", clinic.own_patient, "Alex"):
        assert phi not in text, f"{phi!r} leaked into the log"
