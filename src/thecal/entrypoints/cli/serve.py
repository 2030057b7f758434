"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``).

Before it listens, the server verifies the whole audit chain against the recorded head (SR-17);
if the chain does not verify it refuses to start (exit status 1) and names the first bad entry.
There is deliberately no option or setting to skip the check.

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

from thecal.bootstrap import bootstrap
from thecal.entrypoints.api import create_app
from thecal.services.audit import CheckChainAtStart, check_chain_at_start

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
    """Verify the audit chain, then serve the web pages at / and the API at /api/v1 (OpenAPI at
    /api/v1/openapi.json). A broken chain stops the start (exit 1), naming the first bad entry."""
    thecal = bootstrap()
    try:
        report = thecal.run(check_chain_at_start, CheckChainAtStart())
        broken = report.first_break
        if broken is not None:
            sys.stderr.write(
                f"thecal serve: refusing to start: audit chain BROKEN at entry sequence "
                f"{broken.sequence} (position {broken.position}): {broken.reason.value}; "
                f"{broken.detail}. Investigate with `thecal audit verify`.\n"
            )
            raise typer.Exit(code=EXIT_CHAIN_BROKEN)
        sys.stderr.write(f"thecal serve: audit chain ok ({report.entries_checked} entries)\n")
        uvicorn.run(
            with_request_threads(create_app(thecal), threads),
            host=host,
            port=port,
            log_level="warning" if quiet else "info",
            proxy_headers=False,
        )
    finally:
        thecal.close()
