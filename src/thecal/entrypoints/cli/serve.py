"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``).

Sync routes run in anyio's worker threads (40 by default). The server is CPU-bound (Python holds
one core at a time), so more threads than a few only add GIL hand-offs and context switches: at 20
concurrent clients, 4 threads answered the worklist API ≈ 15–25 % faster than 40, with a lower
p95 (docs/benchmarks.md). ``--threads`` sets that number when the server starts.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
import typer
import uvicorn

from thecal.bootstrap import bootstrap
from thecal.entrypoints.api import create_app

__all__ = ["DEFAULT_THREADS", "serve", "with_request_threads"]

DEFAULT_THREADS = 4

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
    """Serve the web pages at / and the API at /api/v1 (OpenAPI at /api/v1/openapi.json)."""
    thecal = bootstrap()
    app = with_request_threads(create_app(thecal), threads)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning" if quiet else "info",
            proxy_headers=False,
        )
    finally:
        thecal.close()
