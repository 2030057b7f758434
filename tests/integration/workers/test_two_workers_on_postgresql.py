"""Several server processes on one PostgreSQL database (issue 16 §1): `thecal serve --workers 2`
and a second `thecal serve` beside it, every contended request sent to both in turn, so rivals
always run in different processes. Concurrent refills, signatures, co-signatures, sends and
patient boluses each give exactly one winner; a session made by one process works on the other
(sessions and CSRF keys are shared); one process's worklist cache follows another's write; the
audit chain verifies; the metrics sum both workers; and
no log line carries the patient's name, MRN or birth date."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import (
    AUDIT_KEY,
    PASSWORD,
    Clinic,
    add_user,
    build_clinic,
    implant_pump_with_patient_bolus,
    postgres_schema_url,
)
from servers import Server, start, worker_processes
from sqlalchemy import Engine, func, select

from thecal.adapters.sql.clinic_clock import ClinicClock, clock_offset, set_clock_offset
from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.device_log import pump_device_commands
from thecal.adapters.sql.tables.refills import refills
from thecal.domain.audit import verify_chain
from thecal.domain.users import Actor, Role
from thecal.services.accounts import CreateUser

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

API = "/api/v1"
TOKEN = "two-workers-metrics-token-0123456789abcdef"  # noqa: S105 - a test's token
STOPPED = (0, -signal.SIGTERM)
RIVALS = 4  # concurrent requests per race, alternating between the two servers


class OffsetClock:
    """The clinic clock the servers read (system time + the stored offset), movable by the test
    through the offset, so every process sees the same clinical time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._clock = ClinicClock(engine)

    def now(self) -> dt.datetime:
        return self._clock.now()

    def advance(self, **delta: float) -> None:
        set_clock_offset(self.engine, clock_offset(self.engine) + dt.timedelta(**delta))


@pytest.fixture
def database_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    engine = make_engine(database_url)
    clock = OffsetClock(engine)
    built = build_clinic(database_url, clock=clock)  # type: ignore[arg-type]
    built.thecal.run(
        built.thecal.accounts.create_user,
        CreateUser(
            actor=Actor(user_id="operator", role=Role.ADMIN),
            username="physician2",
            role=Role.PHYSICIAN,
            display_name="Second Physician",
            password=PASSWORD,
        ),
    )
    yield built
    built.thecal.close()
    engine.dispose()


@pytest.fixture
def servers(clinic: Clinic, database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_ENV": "test",
        "THECAL_MFA_REQUIRED": "false",
        "THECAL_METRICS_TOKEN": TOKEN,
        "THECAL_LOG_FORMAT": "json",
    }
    two = start(env, tmp_path / "two-workers.log", workers=2)
    try:
        one = start(env, tmp_path / "one-worker.log")
    except BaseException:
        two.stop()
        raise
    try:
        yield two, one
    finally:
        # uvicorn re-raises SIGTERM after its graceful shutdown (systemd counts that as clean)
        assert two.stop() in STOPPED
        assert one.stop() in STOPPED


@pytest.fixture
def opened() -> Iterator[list[httpx.Client]]:
    """Every HTTP client the test opens, closed at the end."""
    clients: list[httpx.Client] = []
    yield clients
    for client in clients:
        client.close()


def _session(server: Server, username: str, opened: list[httpx.Client]) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    opened.append(client)
    answer = client.post(f"{API}/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def _race(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls at once (a barrier releases them together); their answers in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _statuses(answers: list[httpx.Response]) -> list[int]:
    return sorted(answer.status_code for answer in answers)


def _signature(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "password": PASSWORD,
        "diff_digest": change["diff_digest"],
        "acknowledged_warnings": [f["code"] for f in change["findings"] if f["severity"] == "warn"],
        "overrides": [
            {"finding_code": f["code"], "reason": "clinical-judgement", "text": "titration plan"}
            for f in change["findings"]
            if f["severity"] == "override"
        ],
    }


def _count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )


def test_two_processes_on_one_database_give_exactly_one_winner_and_a_verifying_chain(
    clinic: Clinic, servers: tuple[Server, Server], opened: list[httpx.Client]
) -> None:
    two, one = servers
    assert len(worker_processes(two.process.pid)) == 2  # --workers 2: two server processes
    engine = clinic.thecal.engine
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=1)  # a day after the implant: titration allowed, boluses too
    pair = (two, one)

    # A session opened on one process works on the other: shared sessions and CSRF keys.
    nurse_on_two = _session(two, "nurse", opened)
    shared = httpx.Client(base_url=one.url, cookies=nurse_on_two.cookies, timeout=60)
    opened.append(shared)
    shared.headers["X-CSRF-Token"] = nurse_on_two.headers["X-CSRF-Token"]
    version = shared.get(f"{API}/pumps/{pump_id}").json()["version"]

    # Refills: one verified admixture, RIVALS nurses with different idempotency keys.
    pharmacist = _session(one, "pharmacist", opened)
    beyond_use = (clinic.clock.now() + dt.timedelta(days=30)).isoformat()
    label = {
        "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
        "volume": "20 mL",
        "lot": "LOT-W2",
        "beyond_use": beyond_use,
    }
    verified = pharmacist.post(f"{API}/pumps/{pump_id}/pharmacy-verifications", json=label)
    assert verified.status_code == 201, verified.text
    refill = {
        "expected_pump_version": version,
        "verification_id": verified.json()["id"],
        "ordered_volume": "20 mL",
        "lot_at_bedside": "LOT-W2",
        "test_volume": "5 mL",
        "aspiration_returned": True,
        "checklist": {
            "needle_placement_confirmed": True,
            "aspiration_positive": True,
            "no_pocket_swelling_or_pain": True,
            "observed_for_overdose_symptoms": True,
        },
    }
    nurses = [_session(pair[i % 2], "nurse", opened) for i in range(RIVALS)]
    refilled = _race(
        [
            lambda n=n, i=i: n.post(
                f"{API}/pumps/{pump_id}/refills",
                json=refill,
                headers={"Idempotency-Key": f"w2-refill-{i}"},
            )
            for i, n in enumerate(nurses)
        ]
    )
    assert _statuses(refilled) == [201] + [409] * (RIVALS - 1), [a.text for a in refilled]
    assert _count(engine, refills, refills.c.pump_id == pump_id) == 1
    assert _count(engine, pump_device_commands, pump_device_commands.c.kind == "withdraw") == 1

    # Signatures: two physicians sign the same proposal at once, one on each process.
    proposed = nurses[0].post(
        f"{API}/pumps/{pump_id}/program-changes",
        json={"daily_dose": "5.5 mg/day", "rationale": "pain above goal"},
        headers={"Idempotency-Key": "w2-change"},
    )
    assert proposed.status_code == 201, proposed.text
    change = proposed.json()
    url = f"{API}/program-changes/{change['id']}"
    signers = [_session(two, "physician", opened), _session(one, "physician2", opened)]
    signed = _race(
        [lambda s=s: s.post(f"{url}/signature", json=_signature(change)) for s in signers]
    )
    assert _statuses(signed) == [200, 409], [a.text for a in signed]
    signer = next(s for s, a in zip(signers, signed, strict=True) if a.status_code == 200)
    other = signers[1 - signers.index(signer)]

    # Co-signatures: the other physician and a nurse who did not propose it, at once.
    add_user(clinic, "nurse2", Role.NURSE)
    second_nurse = _session(pair[1], "nurse2", opened)
    cosign = {"password": PASSWORD, "diff_digest": change["diff_digest"]}
    cosigned = _race(
        [lambda c=c: c.post(f"{url}/co-signature", json=cosign) for c in (other, second_nurse)]
    )
    assert _statuses(cosigned) == [200, 409], [a.text for a in cosigned]
    assert nurses[0].get(url).json()["state"] == "co-signed"

    # Sending to the pump: RIVALS nurses at once; the pump is programmed once.
    version = nurses[0].get(f"{API}/pumps/{pump_id}").json()["version"]
    programs_before = _count(engine, pump_device_commands, pump_device_commands.c.kind == "program")
    sent = _race(
        [
            lambda n=n: n.post(f"{url}/sending", json={"expected_pump_version": version})
            for n in nurses
        ]
    )
    assert _statuses(sent) == [200] + [409] * (RIVALS - 1), [a.text for a in sent]
    programs = _count(engine, pump_device_commands, pump_device_commands.c.kind == "program")
    assert programs == programs_before + 1

    # Patient boluses: RIVALS presses at once; the lockout lets exactly one through.
    clinic.clock.advance(hours=1)
    patients = [_session(pair[i % 2], "patient", opened) for i in range(RIVALS)]
    pressed = _race([lambda p=p: p.post(f"{API}/pumps/mine/patient-bolus") for p in patients])
    granted = [a for a in pressed if a.status_code == 200 and a.json()["granted"]]
    assert len(granted) == 1, [a.text for a in pressed]
    assert all(
        a.status_code == 409 or (a.status_code == 200 and a.json()["reason"] == "lockout")
        for a in pressed
        if a not in granted
    ), [a.text for a in pressed]

    # One process's worklist cache follows a write made by another (the clinical generation).
    watcher = _session(one, "nurse", opened)

    def monitoring() -> set[str]:
        page = watcher.get(f"{API}/worklist", params={"kind": "post-implant-monitoring"})
        return {row["record_id"] for row in page.json()["items"]}

    task = next(
        t
        for t in nurses[0].get(f"{API}/tasks").json()["items"]
        if t["kind"] == "post-implant-monitoring"
    )
    assert task["id"] in monitoring()
    assert task["id"] in monitoring()  # read again: from the cache
    done = nurses[0].post(  # on the other server
        f"{API}/tasks/{task['id']}/completion",
        json={"expected_version": task["version"], "note": "seen"},
    )
    assert done.status_code == 200, done.text
    assert task["id"] not in monitoring()

    # The chain verifies, entry by entry, against its recorded head.
    with clinic.thecal.uow() as uow:
        report = verify_chain(
            uow.audit_log.entries(), AUDIT_KEY.encode(), anchor=uow.audit_log.recorded_head()
        )
    assert report.ok, report.first_break
    assert report.entries_checked > 20

    # The two-worker server's metrics sum both workers: every refill attempt sent to it counted.
    physician = _session(two, "physician", opened)
    for query in ({"family_name": "Owens"}, {"mrn": "OWN-1", "birth_date": "1960-05-17"}):
        assert "Owens" in physician.get(f"{API}/patients", params=query).text
    metrics = httpx.get(f"{two.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    attempts = sum(1 for i in range(RIVALS) if pair[i % 2] is two)
    route = 'route="/api/v1/pumps/{pump_id}/refills"'
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("thecal_http_request_duration_seconds_count") and route in line
    ]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in counted) == attempts

    # Every request logged as JSON with its request id; no log line carries PHI.
    requests = [line for line in two.lines() + one.lines() if line.get("event") == "request"]
    assert len(requests) > 30
    assert all(len(line["request_id"]) == 32 for line in requests)
    text = "\n".join(two.log.read_text().splitlines() + one.log.read_text().splitlines())
    for phi in ("Owens", "OWN-1", "1960-05-17", clinic.own_patient):
        assert phi not in text, f"{phi!r} leaked into a server log"
