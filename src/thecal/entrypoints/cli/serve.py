"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``).

Before it listens, the server checks, in this order, and refuses to start (exit status 1) with the
reason and what to do:

1. the database can be reached (else the URL, without its password, and the driver's reason) and
   its schema is this code's (``adapters/sql/schema_state.py``): a database behind the
   code names ``thecal db upgrade``; one migrated by a newer thecal is not written to;
2. the whole audit log verifies (SR-17): every entry against its key, the recorded head, the
   append-only triggers, and the latest checkpoint kept outside the database (a cut tail, a wiped
   table); every problem is named. There is deliberately no option or setting to skip either
   check.

When the log verifies, its head is checkpointed, and again every
``THECAL_AUDIT_CHECKPOINT_MINUTES`` while the server runs (the entries since the last checkpoint
verified first; the whole chain once a day), by a thread of this process — also when it only
supervises several workers.

``--workers N`` (N > 1) runs N server processes under uvicorn's own supervisor (it restarts a
worker that dies; ``SIGHUP`` replaces them all, ``SIGTTIN``/``SIGTTOU`` add or remove one): each
worker wires its own thecal (``entrypoints/api/server.py``), and the Prometheus metrics use
multiprocess mode in the folder ``PROMETHEUS_MULTIPROC_DIR`` (emptied at start; a temporary folder
when unset). Several workers need PostgreSQL: on SQLite the start is refused (exit status 2),
because SQLite takes one writer at a time and nearly every request writes (reads of PHI append to
the audit log), so a second process only adds lock waits; docs/deploy.md says when to move.

uvicorn picks its C HTTP parser (httptools) and libuv event loop (uvloop), both dependencies.
Sync routes run in anyio's worker threads (``--threads``, 4 by default, per process). The server
is CPU-bound (Python holds one core at a time), so more threads than a few only add GIL hand-offs
and context switches: at 20 concurrent clients, 4 threads answered the worklist API ≈ 15–25 %
faster than 40, with a lower p95 (docs/benchmarks.md).

Behind a reverse proxy, ``--proxy-headers`` takes the client's address from ``X-Forwarded-For``
(and the scheme from ``X-Forwarded-Proto``) — only from the proxies named by
``--forwarded-allow-ips`` (default ``127.0.0.1``) — so the log-in throttles see the real client.
Logs are JSON lines on stderr (``THECAL_LOG_FORMAT``; ``adapters/observability/logs.py``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from sqlalchemy.exc import OperationalError

from thecal.adapters.audit.checkpoint_schedule import CheckpointSchedule
from thecal.adapters.observability.logs import configure_logging
from thecal.adapters.observability.metrics import MULTIPROCESS_ENV
from thecal.adapters.sql.schema_state import schema_state
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import load_settings
from thecal.entrypoints.cli.audit import verdict_lines
from thecal.entrypoints.cli.output import translate_errors
from thecal.services.audit import (
    CheckChainAtStart,
    CheckpointAudit,
    check_chain_at_start,
    checkpoint_audit,
)

__all__ = [
    "DEFAULT_THREADS",
    "EXIT_CHAIN_BROKEN",
    "EXIT_NOT_STARTED",
    "EXIT_USAGE",
    "WORKER_FACTORY",
    "serve",
]

DEFAULT_THREADS = 4
EXIT_NOT_STARTED = 1  # the schema or the audit chain stopped the start
EXIT_CHAIN_BROKEN = EXIT_NOT_STARTED
EXIT_USAGE = 2
MAX_WORKERS = 16
WORKER_FACTORY = "thecal.entrypoints.api.server:worker_app"
# uvicorn's supervisor pings each worker and replaces one that does not answer in time (default
# 5 s). A worker starts a fresh interpreter and imports the app (2–6 s on a loaded 2-core
# machine), and a busy CPU-bound worker answers the ping late: 5 s killed healthy workers here.
WORKER_HEALTHCHECK_S = 30


def _refuse(reason: str, code: int = EXIT_NOT_STARTED) -> typer.Exit:
    sys.stderr.write(f"thecal serve: refusing to start: {reason}\n")
    return typer.Exit(code=code)


def _check_before_serving(thecal: Thecal) -> None:
    """The schema, then the whole audit chain; raises ``typer.Exit`` if either stops the start."""
    try:
        state = schema_state(thecal.engine)
    except OperationalError as unreachable:  # a server down or a wrong host, port or password
        where = thecal.engine.url.render_as_string(hide_password=True)
        reason = (
            f"the database {where} (THECAL_DATABASE_URL) cannot be reached: "
            f"{str(unreachable.orig).strip().splitlines()[0]}. Start it, or correct the URL."
        )
        raise _refuse(reason) from None
    if not state.current:
        raise _refuse(state.explain())
    with translate_errors(as_json=False):  # e.g. the checkpoint file cannot be written
        verdict = thecal.run(check_chain_at_start, CheckChainAtStart())
    if not verdict.ok:
        lines = "\n".join(f"  {line}" for line in verdict_lines(verdict))
        reason = f"the audit log does not verify:\n{lines}\nInvestigate with `thecal audit verify`."
        raise _refuse(reason)
    sys.stderr.write(
        f"thecal serve: audit chain ok ({verdict.entries_checked} entries); checkpoint in "
        f"{thecal.audit_checkpoints.location}\n"
    )


@contextmanager
def _metrics_folder() -> Iterator[str]:
    """The multiprocess metrics folder for the workers: the configured one emptied, or a
    temporary one removed afterwards."""
    configured = os.environ.get(MULTIPROCESS_ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # counts of a previous run's workers
            stale.unlink()
        yield str(folder)
        return
    made = tempfile.mkdtemp(prefix="thecal-metrics-")
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in the environment (for the workers this process starts), restored after."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log warnings and errors only.")] = False,
    threads: Annotated[
        int,
        typer.Option(min=1, max=64, help="Worker threads running requests at once, per process."),
    ] = DEFAULT_THREADS,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Server processes (more than 1 needs PostgreSQL; about one per core).",
        ),
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers",
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a proxy).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(help="Comma-separated proxy addresses whose forwarded headers are trusted."),
    ] = "127.0.0.1",
) -> None:
    """Check the schema and the audit log, then serve the web pages at /, the API at /api/v1
    (OpenAPI at /api/v1/openapi.json) and /healthz, /readyz, /metrics. A database behind the code
    or an audit log that does not verify stops the start (exit 1) with every problem named; the
    log's head is checkpointed at start and every THECAL_AUDIT_CHECKPOINT_MINUTES."""
    settings = load_settings()
    level = "warning" if quiet else settings.log_level
    configure_logging(settings.log_format, level=level)
    thecal = bootstrap(settings)
    schedule = CheckpointSchedule(
        lambda full: thecal.run(checkpoint_audit, CheckpointAudit(full=full)),
        interval=settings.checkpoint_interval,
    )
    try:
        if workers > 1 and thecal.engine.dialect.name == "sqlite":
            reason = (
                f"--workers {workers} needs PostgreSQL (THECAL_DATABASE_URL="
                f"postgresql+psycopg://…): SQLite takes one writer at a time, so one process "
                f"serves it best; see docs/deploy.md"
            )
            raise _refuse(reason, EXIT_USAGE)
        _check_before_serving(thecal)
        schedule.start()
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": level,
            "log_config": None,  # our JSON logs (configure_logging), in every process
            "access_log": False,  # our request line replaces it (no paths, no queries: no PHI)
            "proxy_headers": proxy_headers,
            "forwarded_allow_ips": forwarded_allow_ips,
            "timeout_graceful_shutdown": 30,
            "server_header": False,  # no "Server: uvicorn" banner (issue 15 §6)
            "timeout_worker_healthcheck": WORKER_HEALTHCHECK_S,
        }
        if workers == 1:
            # the app is imported only now: a bad setting, an unreachable database or a broken
            # audit chain is refused in a fraction of the app's import time (about 2 s)
            from thecal.entrypoints.api.server import serving_app  # noqa: PLC0415

            uvicorn.run(serving_app(thecal, threads=threads), **options)
            return
        with (
            _metrics_folder() as folder,
            _environment(
                {
                    MULTIPROCESS_ENV: folder,
                    "THECAL_REQUEST_THREADS": str(threads),
                    "THECAL_LOG_LEVEL": level,
                }
            ),
        ):  # what every worker reads when it starts
            uvicorn.run(WORKER_FACTORY, factory=True, workers=workers, **options)
    finally:
        schedule.stop()  # a schedule never started stops at once
        thecal.close()
