"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``).

Before it listens, the server verifies the whole audit log (SR-17): every entry, the recorded
head, the append-only triggers, and the latest checkpoint kept outside the database (a cut tail
or a wiped table). If anything is wrong it refuses to start (exit status 1) and names each
problem; there is deliberately no option or setting to skip the check. When the log verifies, its
head is checkpointed, and again every ``THECAL_AUDIT_CHECKPOINT_MINUTES`` while it runs (the
entries since the last checkpoint verified first; the whole chain once a day).

uvicorn picks its C HTTP parser (httptools) and libuv event loop (uvloop), both dependencies.
Sync routes run in anyio's worker threads (40 by default). The server is CPU-bound (Python holds
one core at a time), so more threads than a few only add GIL hand-offs and context switches: at 20
concurrent clients, 4 threads answered the worklist API ≈ 15–25 % faster than 40, with a lower
p95 (docs/benchmarks.md). ``--threads`` sets that number when the server starts.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import anyio.to_thread
import typer
import uvicorn

from thecal.adapters.audit.checkpoint_schedule import CheckpointSchedule
from thecal.bootstrap import bootstrap
from thecal.entrypoints.api import create_app
from thecal.entrypoints.cli.audit import verdict_lines
from thecal.entrypoints.cli.output import translate_errors
from thecal.services.audit import (
    CheckChainAtStart,
    CheckpointAudit,
    check_chain_at_start,
    checkpoint_audit,
)

__all__ = ["DEFAULT_THREADS", "EXIT_CHAIN_BROKEN", "serve", "with_request_threads"]

DEFAULT_THREADS = 4
EXIT_CHAIN_BROKEN = 1

Asgi = Any  # an ASGI application: (scope, receive, send) -> awaitable


def with_request_threads(app: Asgi, threads: int) -> Asgi:
    """``app`` whose sync routes share at most ``threads`` worker threads (set at start-up)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # inside the server's event loop, before any request
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await app(scope, receive, send)

    return wrapped


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", help="Less request logging.")] = False,
    threads: Annotated[
        int,
        typer.Option(min=1, max=64, help="Worker threads running requests at once."),
    ] = DEFAULT_THREADS,
) -> None:
    """Verify the audit log, then serve the web pages at / and the API at /api/v1 (OpenAPI at
    /api/v1/openapi.json). A broken log stops the start (exit 1), naming every problem; the head
    is checkpointed at start and every THECAL_AUDIT_CHECKPOINT_MINUTES."""
    thecal = bootstrap()
    try:
        with translate_errors(as_json=False):  # e.g. the checkpoint file cannot be written
            verdict = thecal.run(check_chain_at_start, CheckChainAtStart())
        if not verdict.ok:
            lines = "\n".join(f"  {line}" for line in verdict_lines(verdict))
            sys.stderr.write(
                f"thecal serve: refusing to start: the audit log does not verify:\n{lines}\n"
                "Investigate with `thecal audit verify`.\n"
            )
            raise typer.Exit(code=EXIT_CHAIN_BROKEN)
        sys.stderr.write(
            f"thecal serve: audit chain ok ({verdict.entries_checked} entries); checkpoint in "
            f"{thecal.audit_checkpoints.location}\n"
        )
        schedule = CheckpointSchedule(
            lambda full: thecal.run(checkpoint_audit, CheckpointAudit(full=full)),
            interval=thecal.settings.checkpoint_interval,
        )
        schedule.start()
        try:
            uvicorn.run(
                with_request_threads(create_app(thecal), threads),
                host=host,
                port=port,
                log_level="warning" if quiet else "info",
                proxy_headers=False,
            )
        finally:
            schedule.stop()
    finally:
        thecal.close()
