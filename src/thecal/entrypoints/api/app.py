"""The application factory: one FastAPI app serving ``/api/v1`` (JSON) and the web pages.

``create_app(thecal)`` wires routers, error handlers and static files; it does nothing at import
time. Give it a wired :class:`~thecal.bootstrap.Thecal` (tests do) or settings (servers do).
Every request passes :class:`~thecal.entrypoints.api.request_log.RequestObserver` (request id,
log line, latency metrics); ``/healthz``, ``/readyz`` and ``/metrics`` are in ``health.py``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from thecal import __version__
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings
from thecal.entrypoints.api import health
from thecal.entrypoints.api.body_limit import RequestBodyLimit
from thecal.entrypoints.api.deps import SECURITY_SCHEMES
from thecal.entrypoints.api.docs_page import install_docs_page
from thecal.entrypoints.api.errors import PROBLEM_MEDIA_TYPE, install_error_handlers
from thecal.entrypoints.api.openapi_contract import describe_operation
from thecal.entrypoints.api.query_guard import RepeatedQueryGuard
from thecal.entrypoints.api.request_log import RequestObserver
from thecal.entrypoints.api.routers import (
    admixture_changes,
    appointments,
    assessments,
    audit,
    auth,
    calendar,
    candidacy,
    care_teams,
    device_events,
    implants,
    mri,
    patients,
    pharmacy,
    procedures,
    program_changes,
    pumps,
    referrals,
    refills,
    tasks,
    trials,
    users,
    worklist,
)

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"
_COMMON_ERRORS = ("400", "401", "403", "422")


_MODULES = (
    auth, worklist, tasks, patients, candidacy, trials, implants, assessments,
    procedures, pumps, program_changes, pharmacy, refills, mri, audit, users,
    referrals, appointments, calendar, admixture_changes, device_events, care_teams,
)  # fmt: skip


def _problem_openapi(app: FastAPI) -> dict[str, Any]:
    """OpenAPI with every error documented as ``application/problem+json`` (RFC 9457), and
    the two ways to authenticate on every operation that needs a user (deps.authenticates)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _COMMON_ERRORS:
                responses.setdefault(code, {"description": "Problem"})
            for code, response in responses.items():
                if int(code) >= 400:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem}}
    for context in iter_route_contexts(app.routes):  # included routers, flattened
        route, path = context.original_route, context.path_format
        if isinstance(route, APIRoute) and path in schema["paths"]:
            for method in route.methods or ():
                operation = schema["paths"][path].get(method.lower())
                if operation is not None:  # security, CSRF, idempotency, a description
                    describe_operation(route, method, operation)
    schema.setdefault("components", {}).setdefault("schemas", {})
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def create_app(thecal: Thecal | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app over a wired thecal (or one wired from ``settings``)."""
    wired = thecal if thecal is not None else bootstrap(settings)
    app = FastAPI(
        title="thecal",
        version=__version__,
        description=(
            "Intrathecal pain-pump therapy. Errors are RFC 9457 problem documents with a stable "
            "thecal `code`; authenticate with a session cookie (web log-in, plus X-CSRF-Token on "
            "changes) or an `Authorization: Bearer` API token."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # docs_page: the assets come from the package (no CDN)
        redoc_url=None,
    )
    app.state.thecal = wired
    from thecal.entrypoints.web.routes import (  # noqa: PLC0415 - web is optional
        install_front,
        install_web,
    )

    install_front(app)  # `/` first: routes are tried in order, and it is the landing page
    for module in _MODULES:
        app.include_router(module.router, prefix=API_PREFIX)

    install_docs_page(app, prefix=API_PREFIX, openapi_url=f"{API_PREFIX}/openapi.json")
    renderer = install_web(app, wired)
    app.include_router(health.router)  # /healthz, /readyz, /metrics: last, probes are few
    install_error_handlers(app, html=renderer)
    app.add_middleware(RepeatedQueryGuard, prefix=API_PREFIX)
    app.add_middleware(RequestBodyLimit, max_bytes=wired.settings.max_request_kb * 1024)
    if wired.metrics is not None:  # outermost: it sees every answer, errors included
        app.add_middleware(RequestObserver, metrics=wired.metrics)
    app.openapi = lambda: _problem_openapi(app)  # type: ignore[method-assign]
    return app
