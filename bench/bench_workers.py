"""Several workers on PostgreSQL (issue 16 §1): the same clinic served by one and by two
``thecal serve`` processes, pages and API, throughput and p95.

A demo clinic (``PATIENTS`` patients, seed 20260101, today 2026-11-24) is seeded into a fresh
PostgreSQL schema at ``THECAL_TEST_POSTGRES_URL`` (default the local server), dropped at the end.
``thecal serve --workers N`` (N = 1, then 2; ``--threads`` at its default 4 per process)
answers ``CLIENTS`` concurrent loopback clients, each logged in as the demo nurse, each with its
own keep-alive connection:

- **pages**: ``GET /``, the worklist page;
- **API**: ``GET /api/v1/worklist``, with one request in ``WRITE_EVERY`` a ``POST
  /api/v1/pumps/{id}/interrogations`` on one of the clinic's pumps — a clinical write that bumps
  the clinical generation, so every worker's worklist cache misses on its next read (the writes
  run through the pump twin, replayed from the command log, as in the clinic).

The two configurations alternate for ``ROUNDS`` rounds (1, 2, 1, 2 …), so a change in the
machine's load hits both; throughput is the median of the rounds, p95 is over all rounds'
requests. The client threads run on the same 2 cores as the servers and PostgreSQL: a second
worker can use the core the first leaves, but the load generator competes for it too. The load
is bounded (``REQUESTS`` per run, ``TIME_LIMIT_S``), on 127.0.0.1 only, and the servers are
stopped at the end (also on failure). Run alone: ``python bench/run.py bench_workers``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

PATIENTS = 200
SEED = 20260101
TODAY = dt.date(2026, 11, 24)
CLIENTS = 16
REQUESTS = 1_200
WARMUP = 5  # requests per client before each measured run, not measured
WRITE_EVERY = 10
ROUNDS = 2
TIME_LIMIT_S = 45.0
HOST = "127.0.0.1"
NURSE = ("nurse", "Nick-demo-2026!")  # the public demo account (docs/demo.md)
AUDIT_KEY = "bench-workers-" + "k" * 40
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_ACTIVE_PUMPS = "SELECT id FROM \"{schema}\".pumps WHERE state = 'active' ORDER BY id"
ROOT = Path(__file__).resolve().parent.parent
THECAL = Path(sys.executable).with_name("thecal")


@dataclass(frozen=True)
class Load:
    done: int
    failed: int
    seconds: float
    latencies_ms: tuple[float, ...]
    causes: tuple[str, ...] = ()  # why each failed request failed (a status, an exception)

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]  # nearest rank


@contextlib.contextmanager
def clinic_schema() -> Iterator[tuple[str, float, list[str]]]:
    """A fresh schema with the seeded demo clinic: its URL, the seed's seconds, pump ids."""
    from sqlalchemy import create_engine, text  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    from thecal.config import Settings  # noqa: PLC0415
    from thecal.entrypoints.cli.demo import run_seed  # noqa: PLC0415

    server = os.environ.get("THECAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    schema = f"thecal_bench_workers_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        settings = Settings(database_url=rendered, audit_key=AUDIT_KEY, env="test")  # type: ignore[arg-type]
        began = time.perf_counter()
        run_seed(patients=PATIENTS, seed=SEED, today=TODAY, settings=settings, only_if_empty=False)
        seeded = time.perf_counter() - began
        with admin.connect() as connection:
            pumps = [
                str(row[0]) for row in connection.execute(text(_ACTIVE_PUMPS.format(schema=schema)))
            ]
        yield rendered, seeded, pumps
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    base: str
    retries: int = 0  # serialization failures retried (PostgreSQL), from the servers' logs


@contextlib.contextmanager
def serving(url: str, workers: int) -> Iterator[Served]:
    """``thecal serve --workers N`` on a free loopback port until the block ends; afterwards
    ``retries`` counts the serialization failures its log reports (each one retried)."""
    port = _free_port()
    env = dict(os.environ)
    env.update(THECAL_DATABASE_URL=url, THECAL_AUDIT_KEY=AUDIT_KEY, THECAL_ENV="test")
    env.update(THECAL_LOG_LEVEL="info", THECAL_LOG_FORMAT="json")
    command = [str(THECAL), "serve", "--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
        )
        served = Served(base=f"http://{HOST}:{port}")
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    msg = f"server exited early: {log.read().decode()[-2000:]}"
                    raise RuntimeError(msg)
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(served.base + "/readyz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    msg = "server not ready within 120 s"
                    raise RuntimeError(msg)
                time.sleep(0.25)
            yield served
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            served.retries = log.read().decode("utf-8", "replace").count("serialization failure")


def _session(base: str) -> tuple[dict[str, str], str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post(
            "/api/v1/auth/login", json={"username": NURSE[0], "password": NURSE[1]}
        )
        answer.raise_for_status()
        return dict(client.cookies.items()), str(answer.json()["csrf_token"])


def load(base: str, *, api: bool, pumps: list[str], requests: int = REQUESTS) -> Load:
    """``requests`` requests from ``CLIENTS`` keep-alive clients, within the time limit."""
    cookies, csrf = _session(base)
    lock = threading.Lock()
    counter = [0]
    latencies: list[float] = []
    causes: list[str] = []

    def one(client: httpx.Client, number: int) -> str | None:
        """None when the answer is right, else why not."""
        if not api:
            answer = client.get("/")
            ok = answer.status_code == 200 and "<html" in answer.text
        elif number % WRITE_EVERY == WRITE_EVERY - 1 and pumps:
            pump = pumps[number // WRITE_EVERY % len(pumps)]
            answer = client.post(f"/api/v1/pumps/{pump}/interrogations")
            ok = answer.status_code in {201, 409}  # 409: a rival interrogated it first
        else:
            answer = client.get("/api/v1/worklist")
            ok = answer.status_code == 200 and '"items"' in answer.text
        if ok:
            return None
        code = answer.headers.get("content-type", "").startswith("application/problem")
        return (
            f"{answer.status_code} {answer.json().get('code', '')}"
            if code
            else str(answer.status_code)
        )

    def client_loop() -> None:
        headers = {"X-CSRF-Token": csrf}
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=60) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if counter[0] >= requests:
                        return
                    number = counter[0]
                    counter[0] += 1
                began = time.perf_counter()
                try:
                    cause = one(client, number)
                except httpx.HTTPError as error:
                    cause = type(error).__name__
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if cause is None:
                        latencies.append(took)
                    else:
                        causes.append(cause)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(CLIENTS)]
    began = time.perf_counter()
    deadline = began + TIME_LIMIT_S
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT_S + 60)
    return Load(
        done=len(latencies),
        failed=len(causes),
        seconds=time.perf_counter() - began,
        latencies_ms=tuple(latencies),
        causes=tuple(causes),
    )


def _pooled(loads: list[Load]) -> Load:
    return Load(
        done=sum(r.done for r in loads),
        failed=sum(r.failed for r in loads),
        seconds=sum(r.seconds for r in loads),
        latencies_ms=tuple(ms for r in loads for ms in r.latencies_ms),
        causes=tuple(c for r in loads for c in r.causes),
    )


def run() -> str:
    results: dict[tuple[int, str], list[Load]] = {}
    retries = Counter[int]()
    with clinic_schema() as (url, seeded, pumps):
        for _ in range(ROUNDS):
            for workers in (1, 2):
                with serving(url, workers) as served:
                    for kind in ("pages", "API"):
                        # warm every worker (each connection may land on either), unmeasured
                        load(served.base, api=kind == "API", pumps=[], requests=WARMUP * CLIENTS)
                        measured = load(served.base, api=kind == "API", pumps=pumps)
                        results.setdefault((workers, kind), []).append(measured)
                retries[workers] += served.retries
    lines = [
        "## Several workers on PostgreSQL (`bench/bench_workers.py`)",
        "",
        (
            f"The {PATIENTS}-patient demo clinic (seeded in {seeded:.0f} s into a fresh PostgreSQL "
            f"schema, {len(pumps)} active pumps), served by `thecal serve --workers 1` and "
            f"`--workers 2` in turn ({ROUNDS} rounds each); {CLIENTS} concurrent loopback clients "
            f"as the demo nurse, {REQUESTS:,} requests per run. Pages: `GET /`. API: `GET "
            f"/api/v1/worklist` with every {WRITE_EVERY}th request a pump interrogation (a clinical "
            "write: every worker's worklist cache misses after it). Client, servers and PostgreSQL "
            "share this machine's cores. Throughput: the median of the rounds; latency over all "
            "rounds' requests."
        ),
        "",
        "| workers | load | requests ok / failed | req/s (median) | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    medians: dict[tuple[int, str], float] = {}
    for (workers, kind), loads in sorted(
        results.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        pooled = _pooled(loads)
        medians[(workers, kind)] = statistics.median(r.per_second for r in loads)
        lines.append(
            f"| {workers} | {kind} | {pooled.done:,} / {pooled.failed} | "
            f"{medians[(workers, kind)]:.0f} | {pooled.percentile(50):.0f} | "
            f"{pooled.percentile(95):.0f} | {pooled.percentile(99):.0f} |"
        )
    lines.append("")
    failed = Counter(c for loads in results.values() for r in loads for c in r.causes)
    if failed:
        shown = ", ".join(f"{cause} × {n}" for cause, n in failed.most_common())
        lines.append(f"- failed requests, by cause: {shown}.")
    lines.append(
        f"- serialization failures retried (all loads, warm-ups included): {retries[1]:,} with "
        f"1 worker, {retries[2]:,} with 2 (each one reran a transaction; none ran out) — the "
        "interrogations are SERIALIZABLE and, like every audited request, append to the one "
        "audit chain, whose head row every append locks."
    )
    for kind in ("pages", "API"):
        ratio = medians[(2, kind)] / medians[(1, kind)] if medians[(1, kind)] else float("nan")
        lines.append(f"- {kind}: 2 workers give **{ratio:.2f}×** the throughput of 1.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
