"""What a server process runs: the app over a wired thecal, with its request-thread limit.

``thecal serve`` (``entrypoints/cli/serve.py``) checks the database and the audit chain once, then
either serves :func:`serving_app` in its own process (one worker) or has uvicorn's supervisor
start N worker processes that each call :func:`worker_app` — uvicorn imports the factory by name
in every worker (``spawn``: a fresh interpreter, nothing inherited but the environment), so each
worker wires its own engine, pools, caches and metrics from the same ``THECAL_*`` settings.
What must be shared between workers lives in the database (sessions, log-in failures, the audit
chain and its head, the pumps' command logs, the clinical generation that invalidates every
worker's worklist cache) or in configuration (the audit key and the session/CSRF secret derived
from it); see docs/deploy.md, "Several workers".
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from thecal.adapters.observability.logs import configure_logging
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import load_settings
from thecal.domain.errors import ConfigurationInvalid
from thecal.entrypoints.api.app import create_app
from thecal.entrypoints.configuration_errors import (
    EXIT_CONFIGURATION,
    report_configuration_error,
)

__all__ = ["Asgi", "serving_app", "with_request_threads", "worker_app"]

Asgi = Any  # an ASGI application: (scope, receive, send) -> awaitable


def with_request_threads(app: Asgi, threads: int) -> Asgi:
    """``app`` whose sync routes share at most ``threads`` worker threads (set at start-up)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # inside the server's event loop, before any request
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await app(scope, receive, send)

    return wrapped


def serving_app(thecal: Thecal, *, threads: int) -> Asgi:
    """The app a server process serves over ``thecal``."""
    return with_request_threads(create_app(thecal), threads)


def worker_app() -> Asgi:
    """The factory each worker process calls (``uvicorn … --factory``): settings from the
    environment, logs as configured, a thecal of its own.

    A setting it cannot run with stops the worker with the same one-paragraph message as the
    ``thecal`` command (THC-CONF-001) and exit status 2, not a traceback.
    """
    try:
        settings = load_settings()
        configure_logging(settings.log_format, level=settings.log_level)
        return serving_app(bootstrap(settings), threads=settings.request_threads)
    except ConfigurationInvalid as refused:
        report_configuration_error(refused)
        raise SystemExit(EXIT_CONFIGURATION) from None
