"""Every HTTP request: a request id, one structured log line, and its latency in the metrics.

:class:`RequestObserver` is a plain ASGI middleware (no per-request objects beyond a dict):

* the **request id** is the caller's ``X-Request-ID`` when it is a short token (the reverse proxy
  sets it from nginx's ``$request_id``, so its access log and ours share it), otherwise a new
  random one; it is bound to every log line of the request (``adapters/observability/logs.py``)
  and sent back in the answer's ``X-Request-ID`` header;
* the **log line** (``event="request"``) names the method, the route's template, the status and
  the duration in milliseconds — never the path, the query or the client (no PHI: the patient
  search carries names, MRNs and birth dates in its query);
* the **metrics** (``thecal_http_request_duration_seconds``, ``thecal_http_errors_total``) are
  labelled by the same template, so their label set is bounded; a path that matched no route is
  ``unmatched``.

The probes (``/healthz``, ``/readyz``) and ``/metrics`` are measured but not logged: a scraper
every few seconds would drown the log.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any, Final

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from thecal.adapters.observability.logs import bind_request, clear_request
from thecal.adapters.observability.metrics import Metrics

__all__ = [
    "QUIET_PATHS",
    "REQUEST_ID_HEADER",
    "RequestObserver",
    "route_template",
    "route_templates",
]

REQUEST_ID_HEADER: Final = "x-request-id"
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_UNMATCHED = "unmatched"

log = logging.getLogger("thecal.request")


def route_templates(routes: list[BaseRoute]) -> dict[int, str]:
    """Each route object's whole path template, prefixes of included routers and all."""
    return {
        id(context.original_route): context.path_format
        for context in iter_route_contexts(routes)
        if context.path_format
    }


def route_template(scope: Scope, templates: dict[int, str]) -> str:
    """The matched route's path template (``/api/v1/pumps/{pump_id}``), or ``unmatched``."""
    route = scope.get("route")
    if route is None:
        return _UNMATCHED
    found = templates.get(id(route))
    if found is not None:
        return found
    path = getattr(route, "path", None)  # a route added after the first request
    return path if isinstance(path, str) and path else _UNMATCHED


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _TOKEN.match(text):
                return text
            break
    return secrets.token_hex(16)


class RequestObserver:
    """Request id, request log line and latency metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: dict[int, str] | None = None  # built at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        bind_request(request_id=request_id)
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        status = 500  # until the answer starts: an exception that escapes is a server error
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._done(scope, status, time.perf_counter() - started)
            clear_request()

    def _done(self, scope: Scope, status: int, seconds: float) -> None:
        if self._templates is None:
            app = scope.get("app")
            self._templates = route_templates(list(getattr(app, "routes", ())))
        route = route_template(scope, self._templates)
        method = str(scope.get("method", "?"))
        self.metrics.observe_request(method=method, route=route, status=status, seconds=seconds)
        level = logging.ERROR if status >= 500 else logging.INFO
        if scope.get("path") in QUIET_PATHS or not log.isEnabledFor(level):
            return
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        log.log(level, "request", extra=fields)
