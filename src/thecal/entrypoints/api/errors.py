"""The one translation of thecal errors into HTTP: status, problem+json (RFC 9457), error pages.

:func:`status_for` maps the error tree to a status once; the API answers with
``application/problem+json`` (``type``, ``title``, ``status``, ``detail``, ``instance``, plus the
stable ``code``, the structured ``fields`` and, for a safety block, the ``findings``); the web
pages use the same status and render ``errors/{status}.html`` through the renderer the web package
installs. Routes never raise HTTP errors for domain conditions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from thecal.domain.credentials import AccountLocked, LoginFailed, NotAuthenticated, SessionExpired
from thecal.domain.errors import (
    Conflict,
    DataFileInvalid,
    DeviceError,
    DosingError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ReferenceDataError,
    SafetyBlocked,
    ThecalError,
    WorkflowError,
)
from thecal.services.scheduling.referrals import IntakeThrottled
from thecal.services.unit_of_work import UnauditedWrite

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "HtmlRenderer",
    "install_error_handlers",
    "problem_body",
    "problem_response",
    "status_for",
]

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/docs/problems#"

# Most specific first: the first class an error is an instance of decides.
_STATUS: tuple[tuple[type[ThecalError], int], ...] = (
    (AccountLocked, 429),
    (IntakeThrottled, 429),
    (LoginFailed, 401),
    (NotAuthenticated, 401),
    (SessionExpired, 401),
    (UnauditedWrite, 500),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (SafetyBlocked, 422),
    (DataFileInvalid, 500),
    (ReferenceDataError, 422),
    (InvalidInput, 422),
    (DosingError, 422),
    (DeviceError, 409),
    (WorkflowError, 409),
)

#: Renders an error page for the web: (request, problem document) → response (the document's
#: status, title, detail, code and fields, e.g. the patient a care-team refusal is about).
HtmlRenderer = Callable[[Request, Mapping[str, Any]], Response]


def status_for(error: ThecalError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def _findings(error: ThecalError) -> list[dict[str, str]]:
    raw: Any = (
        getattr(error, "findings", None)
        or error.fields.get("findings")
        or getattr(error.__cause__, "findings", None)  # a block re-raised with its subject
    )
    if not raw or isinstance(raw, str):
        return []
    found: Iterable[Any] = raw
    return [
        {
            "code": str(getattr(f, "code", "")),
            "severity": str(getattr(getattr(f, "severity", ""), "value", "")),
            "message": str(getattr(f, "message", "")),
            "source": str(getattr(f, "source", "")),
        }
        for f in found
    ]


def problem_body(
    *, status: int, detail: str, code: str, instance: str, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "type": f"{PROBLEM_TYPE_BASE}{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        "fields": fields or {},
        "findings": [],
    }


def thecal_problem(error: ThecalError, *, instance: str) -> dict[str, Any]:
    """The problem document for a thecal error (internal details only in the log)."""
    status = status_for(error)
    if status >= 500:
        log.error("internal error %s: %s", error.code, error.message)
    detail = error.message if status < 500 else "an internal error occurred; it was logged"
    body = problem_body(
        status=status,
        detail=detail,
        code=error.code,
        instance=instance,
        fields={k: str(v) for k, v in error.fields.items() if k != "findings"}
        if status < 500
        else {},
    )
    body["findings"] = _findings(error)
    return body


def problem_response(error: ThecalError, *, instance: str) -> JSONResponse:
    """The API's answer to a thecal error raised outside the routes (ASGI middleware)."""
    return _problem(thecal_problem(error, instance=instance))


def _problem(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    path, methods = request.url.path, set[str]()
    for context in iter_route_contexts(request.app.routes):  # included routers, flattened
        route_methods = getattr(context.original_route, "methods", None)
        template = context.path_format
        if route_methods and template and compile_path(template)[0].match(path):
            methods |= set(route_methods)
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI, *, html: HtmlRenderer | None = None) -> None:
    """Register the handlers: thecal errors, request validation and plain HTTP errors."""

    def respond(
        request: Request,
        status: int,
        body: dict[str, Any],
        extra: Mapping[str, str] | None = None,
    ) -> Response:
        headers = dict(extra or {})  # e.g. Allow on a 405 (RFC 9110 §15.5.6)
        if html is not None and not _is_api(request):
            page = html(request, {**body, "status": status})
            page.headers.update(headers)
            return page
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="thecal"'
        return _problem(body, headers or None)

    async def on_thecal_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ThecalError)  # noqa: S101 - registered for ThecalError only
        body = thecal_problem(error, instance=request.url.path)
        return respond(request, body["status"], body)

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)  # noqa: S101
        problems = {
            ".".join(str(p) for p in item.get("loc", ())): str(item.get("msg", ""))
            for item in error.errors()
        }
        detail = "; ".join(f"{where}: {msg}" for where, msg in problems.items()) or "invalid"
        body = problem_body(
            status=422,
            detail=detail,
            code="THC-INPUT-002",
            instance=request.url.path,
            fields=problems,
        )
        return respond(request, 422, body)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)  # noqa: S101
        status = error.status_code
        detail = str(error.detail) if error.detail else HTTPStatus(status).phrase
        body = problem_body(
            status=status, detail=detail, code=f"THC-HTTP-{status}", instance=request.url.path
        )
        headers = dict(error.headers or {})
        if status == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return respond(request, status, body, headers)

    app.add_exception_handler(ThecalError, on_thecal_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
