"""Web benchmark (issue 16 §7): a clinic's real mix of pages, API calls and writes.

With the 1,000-patient demo clinic (seed 20260101, today 2026-11-24) in a SQLite file, two
``thecal serve --quiet`` subprocesses (uvicorn, one worker each) serve copies of it: one with the
worklist cache on (the default), one with it off (``THECAL_WORKLIST_CACHE=false``), so the figure
without the cache stands beside the one with it. A third subprocess serves a bare FastAPI JSON
endpoint (``BARE_APP``: one sync route, small JSON) as the reference for the API's throughput.

Each load is ``CLIENTS`` keep-alive clients (threads, httpx) sharing ``REQUESTS`` requests, each
client logged in as the demo nurse or the demo physician (alternating) through the web form, each
drawing its requests from a mix with its own seeded random generator:

- the web mix (``WEB_MIX``): the worklist page, patient pages and pump pages of random patients,
  and interrogations (API POST with the session's CSRF token, a write that changes the clinical
  data and so invalidates the worklist cache);
- the API mix (``API_MIX``): the worklist API with varied kind filters and offsets, pump reads,
  and the same interrogations.

Targets, on the mixes: page p95 < 150 ms (cache on) and the API mix's throughput ≥ 30 % of the
bare endpoint's. ``ROUNDS`` rounds load every target in turn, so a change in the machine's load
hits all of them; ratios are the median of the rounds', percentiles pool every round's requests.
The seeded database is cached under ``var/bench/`` keyed by the seed's version, and each server
gets a fresh copy per run (the writes change it). Client and servers share this machine's cores;
the figures are for this machine at that moment. Run alone with ``python bench/run.py bench_web``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from thecal.entrypoints.cli.serve import DEFAULT_THREADS

PATIENTS = 1_000
SEED = 20260101
TODAY = dt.date(2026, 11, 24)  # a fixed day: the same clinic every run (as bench_demo.py)
CLIENTS = 20
REQUESTS = 800  # per load and round, shared by the clients
WARMUP = 40
SERIAL_REQUESTS = 100  # one client alone: the server's own time per page, without queueing
TIME_LIMIT_S = 60.0
PAGE_P95_TARGET_MS = 150.0
RATIO_TARGET = 0.30
ROUNDS = 3  # every target measured in turn, this many times
HOST = "127.0.0.1"
USERS = (("nurse", "Nick-demo-2026!"), ("physician", "Paula-demo-2026"))  # docs/demo.md
AUDIT_KEY = "bench-" + "k" * 40
WORKLIST_KINDS = ("", "refill-due", "refill-overdue", "low-reservoir", "program-cosign")

#: (weight, kind of request): what a clinic's screens and integrations ask, writes included.
WEB_MIX = (
    (40, "worklist page"),
    (25, "patient page"),
    (25, "pump page"),
    (10, "interrogation"),
)
API_MIX = (
    (45, "worklist API"),
    (45, "pump API"),
    (10, "interrogation"),
)

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"

BARE_APP = """
from fastapi import FastAPI
import uvicorn, sys
app = FastAPI()
@app.get("/ping")
def ping() -> dict[str, object]:
    return {"ok": True, "items": [1, 2, 3]}
uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_level="warning",
            proxy_headers=False)
"""


@dataclass(frozen=True)
class Load:
    """What one bounded load run measured, by kind of request."""

    failed: int
    seconds: float
    latencies_ms: dict[str, tuple[float, ...]]

    @property
    def done(self) -> int:
        return sum(len(v) for v in self.latencies_ms.values())

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def of(self, *kinds: str) -> tuple[float, ...]:
        chosen = kinds or tuple(self.latencies_ms)
        return tuple(ms for k in chosen for ms in self.latencies_ms.get(k, ()))


def percentile(latencies: tuple[float, ...], p: float) -> float:
    ordered = sorted(latencies)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]  # nearest-rank percentile


@dataclass(frozen=True)
class Session:
    """A logged-in user: cookies and the session's CSRF token (for the API's writes)."""

    cookies: dict[str, str]
    csrf: str


@dataclass(frozen=True)
class Clinic:
    """What the mixes draw from: the served clinic's patients and pumps."""

    patient_ids: tuple[str, ...]
    pump_ids: tuple[str, ...]


def _environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        THECAL_DATABASE_URL=url,
        THECAL_AUDIT_KEY=AUDIT_KEY,
        THECAL_ENV="test",
        THECAL_DEMO_MODE="true",
    )
    return env


def demo_database() -> tuple[Path, float | None]:
    """The cached seeded database (seeding it first if missing); the seed's seconds if seeded."""
    from thecal.services.demo import DEMO_SEED_VERSION  # noqa: PLC0415 - the seed's content

    path = CACHE / f"web-demo-v{DEMO_SEED_VERSION}-p{PATIENTS}-s{SEED}-{TODAY.isoformat()}.db"
    if path.exists():
        _upgrade(path)  # a database cached before the latest migration (a no-op at head)
        return path, None
    from thecal.config import Settings  # noqa: PLC0415 - only when seeding
    from thecal.entrypoints.cli.demo import run_seed  # noqa: PLC0415

    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    settings = Settings(database_url=f"sqlite:///{partial}", audit_key=AUDIT_KEY, env="test")  # type: ignore[arg-type]
    began = time.perf_counter()
    run_seed(patients=PATIENTS, seed=SEED, today=TODAY, settings=settings, only_if_empty=False)
    seconds = time.perf_counter() - began
    for suffix in ("-wal", "-shm"):  # the engine is disposed: the WAL is checkpointed
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path, seconds


def _upgrade(path: Path) -> None:
    from thecal.adapters.sql.database import make_engine, upgrade_database  # noqa: PLC0415

    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int, probe: str) -> Iterator[str]:
    """Start a server subprocess on loopback, wait until ``probe`` answers, stop it at the end."""
    base = f"http://{HOST}:{port}"
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                msg = f"server exited early: {error[-2000:]}"
                raise RuntimeError(msg)
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + probe, timeout=2).status_code < 500:
                    break
            if time.monotonic() > deadline:
                msg = "server did not start within 60 s"
                raise RuntimeError(msg)
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def log_in(base: str, user: tuple[str, str]) -> Session:
    """A user's cookies after the web log-in (the form's double-submit CSRF token)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login")
        form.raise_for_status()
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if found is None:
            msg = "no CSRF token on the log-in form"
            raise RuntimeError(msg)
        answer = client.post(
            "/login",
            data={"username": user[0], "password": user[1], "csrf_token": found.group(1)},
        )
        if answer.status_code != 303:
            msg = f"log-in of {user[0]} failed: {answer.status_code}"
            raise RuntimeError(msg)
        page = client.get("/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            msg = "no CSRF token on the worklist page"
            raise RuntimeError(msg)
        return Session(cookies=dict(client.cookies.items()), csrf=token.group(1))


def clinic_of(base: str, session: Session) -> Clinic:
    """The active pumps of the served clinic and their patients (the API's pump search)."""
    pumps: list[dict[str, object]] = []
    with httpx.Client(base_url=base, cookies=session.cookies, timeout=30) as client:
        offset, total = 0, 1
        while offset < total:
            answer = client.get("/api/v1/pumps", params={"limit": 100, "offset": offset})
            answer.raise_for_status()
            body = answer.json()
            pumps.extend(body["items"])
            total, offset = int(body["total"]), offset + 100
    active = [p for p in pumps if p.get("state") != "explanted"]
    if not active:
        msg = "the served clinic has no pumps"
        raise RuntimeError(msg)
    return Clinic(
        patient_ids=tuple(sorted({str(p["patient_id"]) for p in active})),
        pump_ids=tuple(str(p["id"]) for p in active),
    )


def _request(
    client: httpx.Client, kind: str, rng: random.Random, clinic: Clinic, session: Session
) -> bool:
    """One request of ``kind``; True if it answered as a clinic would expect."""
    if kind == "worklist page":
        answer = client.get("/")
        return answer.status_code == 200 and "<html" in answer.text
    if kind == "patient page":
        answer = client.get(f"/patients/{rng.choice(clinic.patient_ids)}")
        return answer.status_code == 200 and "<html" in answer.text
    if kind == "pump page":
        answer = client.get(f"/pumps/{rng.choice(clinic.pump_ids)}")
        return answer.status_code == 200 and "<html" in answer.text
    if kind == "worklist API":
        params: dict[str, str | int] = {"limit": 50, "offset": rng.choice((0, 0, 0, 50))}
        chosen = rng.choice(WORKLIST_KINDS)
        if chosen:
            params["kind"] = chosen
        answer = client.get("/api/v1/worklist", params=params)
        return answer.status_code == 200 and '"items"' in answer.text
    if kind == "pump API":
        answer = client.get(f"/api/v1/pumps/{rng.choice(clinic.pump_ids)}")
        return answer.status_code == 200 and '"id"' in answer.text
    if kind == "interrogation":
        answer = client.post(
            f"/api/v1/pumps/{rng.choice(clinic.pump_ids)}/interrogations",
            headers={"X-CSRF-Token": session.csrf, "Idempotency-Key": f"bench-{rng.random()}"},
        )
        return answer.status_code in (200, 201)
    msg = f"unknown request kind {kind!r}"
    raise ValueError(msg)


def load(
    base: str,
    mix: tuple[tuple[int, str], ...],
    sessions: list[Session],
    clinic: Clinic,
    *,
    seed: int,
    clients: int = CLIENTS,
    requests: int = REQUESTS,
) -> Load:
    """``requests`` requests drawn from ``mix`` by ``clients`` keep-alive clients."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: dict[str, list[float]] = {kind: [] for _, kind in mix}
    failures = [0]
    weights = [w for w, _ in mix]
    kinds = [k for _, k in mix]

    def client_loop(index: int) -> None:
        session = sessions[index % len(sessions)]
        rng = random.Random(seed * 1_000 + index)
        with httpx.Client(base_url=base, cookies=session.cookies, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                kind = rng.choices(kinds, weights)[0]
                began = time.perf_counter()
                try:
                    ok = _request(client, kind, rng, clinic, session)
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if ok:
                        latencies[kind].append(took)
                    else:
                        failures[0] += 1

    warm_rng = random.Random(seed)
    with httpx.Client(base_url=base, cookies=sessions[0].cookies, timeout=30) as warm:
        for _ in range(WARMUP):
            _request(warm, warm_rng.choices(kinds, weights)[0], warm_rng, clinic, sessions[0])
    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    began = time.perf_counter()
    deadline = began + TIME_LIMIT_S
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT_S + 35)
    seconds = time.perf_counter() - began
    return Load(
        failed=failures[0],
        seconds=seconds,
        latencies_ms={k: tuple(v) for k, v in latencies.items()},
    )


def bare_load(base: str, *, requests: int = REQUESTS * 2) -> Load:
    """The reference: GETs of the bare endpoint by as many clients."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    failures = [0]

    def client_loop() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                began = time.perf_counter()
                try:
                    answer = client.get("/ping")
                    ok = answer.status_code == 200 and '"ok"' in answer.text
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        failures[0] += 1

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(CLIENTS)]
    began = time.perf_counter()
    deadline = began + TIME_LIMIT_S
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT_S + 35)
    return Load(
        failed=failures[0],
        seconds=time.perf_counter() - began,
        latencies_ms={"bare": tuple(latencies)},
    )


def _pooled(loads: list[Load]) -> Load:
    """The rounds of one target as one load (latencies pooled, seconds summed)."""
    kinds = {k for r in loads for k in r.latencies_ms}
    return Load(
        failed=sum(r.failed for r in loads),
        seconds=sum(r.seconds for r in loads),
        latencies_ms={
            k: tuple(ms for r in loads for ms in r.latencies_ms.get(k, ())) for k in kinds
        },
    )


def _kind_rows(label: str, pooled: Load) -> list[str]:
    rows = []
    for kind in sorted(pooled.latencies_ms):
        values = pooled.latencies_ms[kind]
        rows.append(
            f"| {label} | {kind} | {len(values):,} | {percentile(values, 50):.0f} | "
            f"{percentile(values, 95):.0f} | {percentile(values, 99):.0f} |"
        )
    return rows


def _throughput_row(label: str, loads: list[Load]) -> str:
    rates = [r.per_second for r in loads]
    failed = sum(r.failed for r in loads)
    return (
        f"| {label} | {statistics.median(rates):.0f} | {min(rates):.0f}–{max(rates):.0f} | "
        f"{failed} |"
    )


def _copy(database: Path, into: Path, name: str) -> str:
    target = into / name
    shutil.copyfile(database, target)
    return f"sqlite:///{target}"


def run() -> str:
    """Seed (or reuse) the demo clinic, serve it with and without the cache, measure, describe."""
    database, seeded_s = demo_database()
    python = sys.executable
    thecal_cli = str(Path(python).with_name("thecal"))  # the console script beside python
    on_port, off_port, bare_port = free_port(), free_port(), free_port()
    results: dict[str, list[Load]] = {
        "web on": [],
        "api on": [],
        "web off": [],
        "api off": [],
        "bare": [],
    }
    with tempfile.TemporaryDirectory(prefix="thecal-bench-web-") as scratch:
        on_env = _environment(_copy(database, Path(scratch), "on.db"))
        off_env = _environment(_copy(database, Path(scratch), "off.db"))
        off_env["THECAL_WORKLIST_CACHE"] = "false"
        serve = [thecal_cli, "serve", "--quiet", "--host", HOST, "--port"]
        bare_command = [python, "-c", BARE_APP, HOST, str(bare_port)]
        with (
            serving([*serve, str(on_port)], on_env, on_port, "/login") as on_base,
            serving([*serve, str(off_port)], off_env, off_port, "/login") as off_base,
            serving(bare_command, dict(os.environ), bare_port, "/ping") as bare_base,
        ):
            on_sessions = [log_in(on_base, user) for user in USERS]
            off_sessions = [log_in(off_base, user) for user in USERS]
            clinic = clinic_of(on_base, on_sessions[0])
            alone = load(
                on_base,
                (WEB_MIX[0],),
                on_sessions,
                clinic,
                seed=0,
                clients=1,
                requests=SERIAL_REQUESTS,
            )
            for round_ in range(ROUNDS):  # interleaved: a change in load hits every target
                seed = round_ + 1
                results["web on"].append(load(on_base, WEB_MIX, on_sessions, clinic, seed=seed))
                results["api on"].append(load(on_base, API_MIX, on_sessions, clinic, seed=seed))
                results["web off"].append(load(off_base, WEB_MIX, off_sessions, clinic, seed=seed))
                results["api off"].append(load(off_base, API_MIX, off_sessions, clinic, seed=seed))
                results["bare"].append(bare_load(bare_base))
    pages = ("worklist page", "patient page", "pump page")
    web_on, web_off = _pooled(results["web on"]), _pooled(results["web off"])
    p95_on, p95_off = percentile(web_on.of(*pages), 95), percentile(web_off.of(*pages), 95)
    ratios_on = [
        a.per_second / b.per_second if b.per_second else 0.0
        for a, b in zip(results["api on"], results["bare"], strict=True)
    ]
    ratios_off = [
        a.per_second / b.per_second if b.per_second else 0.0
        for a, b in zip(results["api off"], results["bare"], strict=True)
    ]
    ratio_on, ratio_off = statistics.median(ratios_on), statistics.median(ratios_off)
    seed_note = (
        f"seeded in this run ({seeded_s:.0f} s)" if seeded_s is not None else "cached in var/bench/"
    )
    web_mix = ", ".join(f"{kind} {weight} %" for weight, kind in WEB_MIX)
    api_mix = ", ".join(f"{kind} {weight} %" for weight, kind in API_MIX)
    failed = sum(r.failed for loads in results.values() for r in loads)

    def mark(ok: bool) -> str:  # noqa: FBT001
        return "✔" if ok else "✘"

    lines = [
        "## Web under a clinic's mixed load (`bench/bench_web.py`)",
        "",
        (
            f"The {PATIENTS:,}-patient demo clinic (seed {SEED}, today {TODAY}; SQLite, "
            f"{seed_note}; {len(clinic.pump_ids)} pumps, {len(clinic.patient_ids)} of their "
            f"patients) served by two `thecal serve` processes (uvicorn, one worker, "
            f"{DEFAULT_THREADS} request threads) on fresh copies of the database: one with the "
            "worklist cache on (the default), one with it off (`THECAL_WORKLIST_CACHE=false`). "
            f"{CLIENTS} keep-alive clients (threads, httpx, in the benchmark process), logged in "
            f"through the web form as the demo nurse and physician in turn, share {REQUESTS:,} "
            f"requests per load (after {WARMUP} warm-up requests), stopping at "
            f"{TIME_LIMIT_S:.0f} s. Web mix: {web_mix}. API mix: {api_mix}. Each "
            "interrogation is a write through the pump driver (the twin in demo mode) that "
            "changes the clinical data and so invalidates the worklist cache. The reference is a "
            "one-route FastAPI app (sync, small JSON) under uvicorn with the same packages. "
            f"{ROUNDS} rounds of every load in turn; percentiles pool the rounds. Client and "
            "servers share this machine's cores."
        ),
        "",
        "| load | request | answered | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *_kind_rows("worklist page alone, 1 client, cache on", alone),
        *_kind_rows("web mix, cache on", web_on),
        *_kind_rows("web mix, cache off", web_off),
        *_kind_rows("API mix, cache on", _pooled(results["api on"])),
        *_kind_rows("API mix, cache off", _pooled(results["api off"])),
        "",
        "| load | req/s (median of rounds) | range | failed |",
        "|---|---|---|---|",
        _throughput_row("web mix, cache on", results["web on"]),
        _throughput_row("web mix, cache off", results["web off"]),
        _throughput_row("API mix, cache on", results["api on"]),
        _throughput_row("API mix, cache off", results["api off"]),
        _throughput_row("bare FastAPI JSON `GET /ping`", results["bare"]),
        "",
        "| measure | cache on | cache off | target |",
        "|---|---|---|---|",
        (
            f"| pages' p95 in the web mix ({len(web_on.of(*pages)):,} / "
            f"{len(web_off.of(*pages)):,} pages) | {p95_on:.0f} ms {mark(p95_on < PAGE_P95_TARGET_MS)} | "
            f"{p95_off:.0f} ms {mark(p95_off < PAGE_P95_TARGET_MS)} | < {PAGE_P95_TARGET_MS:.0f} ms |"
        ),
        (
            f"| API mix / bare JSON throughput (median of the rounds: on "
            f"{', '.join(f'{r:.0%}' for r in ratios_on)}; off "
            f"{', '.join(f'{r:.0%}' for r in ratios_off)}) | {ratio_on:.0%} "
            f"{mark(ratio_on >= RATIO_TARGET)} | {ratio_off:.0%} {mark(ratio_off >= RATIO_TARGET)} | "
            f"≥ {RATIO_TARGET:.0%} |"
        ),
        f"| requests that failed (any load) | {failed} | | 0 |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
