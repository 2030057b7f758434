"""Web benchmark (issue 6 §6): the worklist page and API under 20 concurrent loopback clients.

With the 1,000-patient demo clinic (seed 20260101, today 2026-11-24) in a SQLite file, ``thecal
serve --quiet`` (uvicorn, one worker, as a subprocess with that database) answers:

- the worklist PAGE ``GET /`` as the demo nurse (log-in form with its double-submit CSRF cookie,
  then the session cookie): latency p50/p95/p99 and throughput; target p95 < 150 ms;
- the worklist API ``GET /api/v1/worklist`` with the same session cookie (a GET needs no CSRF
  header): throughput;
- a bare FastAPI JSON endpoint (``BARE_APP`` below: one sync route returning a small JSON, the
  worklist route is sync too) served by uvicorn with the same settings in another subprocess, in
  the same run: throughput. Target: worklist API ≥ 30 % of the bare endpoint. Both servers stay
  up while ``ROUNDS`` rounds load the page, the API and the bare endpoint in turn, so a change in
  the machine's load between measurements hits all three; the ratio is the median of the rounds'
  ratios and the page's p95 is over all rounds' requests. The bare app keeps
  anyio's 40 request threads; ``thecal serve`` runs its default 4 (``--threads``), its own tuning
  (4 threads made the bare app slower, so it is not applied to the reference).

The load generator is bounded: ``CLIENTS`` threads, each with its own keep-alive ``httpx.Client``,
share a fixed number of requests and stop at ``TIME_LIMIT_S`` whatever is left. Only loopback
addresses are used; the servers are stopped at the end (also on failure). The seeded database is
cached under ``var/bench/`` keyed by the seed's version (``DEMO_SEED_VERSION``), patients, seed
and day, so re-runs skip the 1–2 minute seed.
The client runs on the same machine as the server and other processes may have been running, so
the numbers are for this machine at that moment. Run alone with ``python bench/bench_web.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
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
REQUESTS = 2_000
WARMUP = 40
SERIAL_REQUESTS = 100  # one client alone: the server's own time per page, without queueing
TIME_LIMIT_S = 60.0
PAGE_P95_TARGET_MS = 150.0
RATIO_TARGET = 0.30
ROUNDS = 3  # page, API and bare endpoint measured in turn, this many times
HOST = "127.0.0.1"
NURSE = ("nurse", "nurse-demo-2026!")  # the public demo account (docs/demo.md)
AUDIT_KEY = "bench-" + "k" * 40

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
    """What one bounded load run measured."""

    done: int
    failed: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]  # nearest-rank percentile


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


def log_in(base: str) -> dict[str, str]:
    """The nurse's cookies after the web log-in (the form's double-submit CSRF token)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login")
        form.raise_for_status()
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if found is None:
            msg = "no CSRF token on the log-in form"
            raise RuntimeError(msg)
        answer = client.post(
            "/login",
            data={"username": NURSE[0], "password": NURSE[1], "csrf_token": found.group(1)},
        )
        if answer.status_code != 303:
            msg = f"log-in failed: {answer.status_code}"
            raise RuntimeError(msg)
        return dict(client.cookies.items())


def load(
    base: str,
    path: str,
    cookies: dict[str, str],
    *,
    expect: str,
    clients: int = CLIENTS,
    requests: int = REQUESTS,
) -> Load:
    """``requests`` GETs of ``path`` from ``clients`` keep-alive clients, within the time limit."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    failures = [0]

    def client_loop() -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                began = time.perf_counter()
                try:
                    answer = client.get(path)
                    ok = answer.status_code == 200 and expect in answer.text
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        failures[0] += 1

    with httpx.Client(base_url=base, cookies=cookies, timeout=30) as warm:
        for _ in range(WARMUP):
            warm.get(path)
    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    began = time.perf_counter()
    deadline = began + TIME_LIMIT_S
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT_S + 35)
    seconds = time.perf_counter() - began
    return Load(
        done=len(latencies), failed=failures[0], seconds=seconds, latencies_ms=tuple(latencies)
    )


def _row(name: str, result: Load) -> str:
    return (
        f"| {name} | {result.done:,} ok / {result.failed} failed in {result.seconds:.1f} s | "
        f"{result.per_second:.0f} | {result.percentile(50):.0f} | {result.percentile(95):.0f} | "
        f"{result.percentile(99):.0f} | {statistics.fmean(result.latencies_ms or (0.0,)):.0f} |"
    )


def _pooled(loads: list[Load]) -> Load:
    """The rounds of one target as one load (latencies pooled, seconds summed)."""
    return Load(
        done=sum(r.done for r in loads),
        failed=sum(r.failed for r in loads),
        seconds=sum(r.seconds for r in loads),
        latencies_ms=tuple(ms for r in loads for ms in r.latencies_ms),
    )


def run() -> str:
    """Seed (or reuse) the demo clinic, serve it and the bare app, measure, describe."""
    database, seeded_s = demo_database()
    env = _environment(f"sqlite:///{database}")
    thecal_port, bare_port = free_port(), free_port()
    python = sys.executable
    thecal_cli = str(Path(python).with_name("thecal"))  # the console script beside python
    serve = [thecal_cli, "serve", "--quiet"]
    serve += ["--host", HOST, "--port", str(thecal_port)]
    bare_command = [python, "-c", BARE_APP, HOST, str(bare_port)]
    pages: list[Load] = []
    apis: list[Load] = []
    bares: list[Load] = []
    with (
        serving(serve, env, thecal_port, "/login") as base,
        serving(bare_command, dict(os.environ), bare_port, "/ping") as bare_base,
    ):
        cookies = log_in(base)
        alone = load(base, "/", cookies, expect="<html", clients=1, requests=SERIAL_REQUESTS)
        for _ in range(ROUNDS):  # interleaved: a change in the machine's load hits all three
            pages.append(load(base, "/", cookies, expect="<html"))
            apis.append(load(base, "/api/v1/worklist", cookies, expect='"items"'))
            bares.append(load(bare_base, "/ping", {}, expect='"ok"'))
    page = _pooled(pages)
    ratios = [
        a.per_second / b.per_second if b.per_second else 0.0
        for a, b in zip(apis, bares, strict=True)
    ]
    ratio = statistics.median(ratios)
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    p95 = page.percentile(95)
    seed_note = (
        f"seeded in this run ({seeded_s:.0f} s)" if seeded_s is not None else "cached in var/bench/"
    )
    lines = [
        "## Web worklist under load (`bench/bench_web.py`)",
        "",
        (
            f"The {PATIENTS:,}-patient demo clinic (seed {SEED}, today {TODAY}; SQLite, "
            f"{seed_note}) served by `thecal serve` (uvicorn, one worker) on {HOST}; "
            f"{CLIENTS} concurrent keep-alive clients (threads, httpx) in the benchmark process "
            f"share {REQUESTS:,} GETs per target and round (after {WARMUP} warm-up requests), "
            f"stopping at {TIME_LIMIT_S:.0f} s; {ROUNDS} rounds of page, API, bare endpoint in "
            "turn, both servers up throughout. The nurse is logged in through the web form. "
            "The bare endpoint is a one-route FastAPI app (sync, small JSON) served by uvicorn "
            "with the same settings and packages (anyio's 40 request threads; `thecal serve` "
            f"runs its default {DEFAULT_THREADS}). Client and servers share this machine's "
            "cores, and other processes may have been running."
        ),
        "",
        "| target | requests | req/s | p50 ms | p95 ms | p99 ms | mean ms |",
        "|---|---|---|---|---|---|---|",
        _row(f"worklist page `GET /`, 1 client ({SERIAL_REQUESTS} requests)", alone),
        *(
            _row(f"worklist page `GET /`, {CLIENTS} clients, round {i + 1}", r)
            for i, r in enumerate(pages)
        ),
        *(
            _row(f"worklist API `GET /api/v1/worklist`, round {i + 1}", r)
            for i, r in enumerate(apis)
        ),
        *(_row(f"bare FastAPI JSON `GET /ping`, round {i + 1}", r) for i, r in enumerate(bares)),
        "",
        "| measure | result | target |",
        "|---|---|---|",
        (
            f"| worklist page p95 at {CLIENTS} clients (all rounds' {len(page.latencies_ms):,} "
            f"requests) | {p95:.0f} ms | "
            f"< {PAGE_P95_TARGET_MS:.0f} ms {'✔' if p95 < PAGE_P95_TARGET_MS else '✘'} |"
        ),
        (
            f"| worklist API / bare JSON throughput (median of the rounds: "
            f"{', '.join(f'{r:.0%}' for r in ratios)}) | {ratio:.0%} | "
            f"≥ {RATIO_TARGET:.0%} {'✔' if ratio >= RATIO_TARGET else '✘'} |"
        ),
        f"| load average (1 min) at the end | {load_avg:.1f} on {os.cpu_count()} cores | |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
