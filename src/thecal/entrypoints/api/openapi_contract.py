"""What the OpenAPI document says about each operation, written from how the app behaves
(issue 18 §3; checked by tests/e2e/api/test_api_openapi_contract.py):

* **Security**: an operation that authenticates offers the schemes it accepts — a bearer API token
  or the session cookie — and a session-only one (signing and co-signing re-authenticate a person
  at a screen: a bearer token is refused, 403 THC-API-001) offers the cookie only. Routes mark
  themselves session-only with ``openapi_extra={SESSION_ONLY: True}``.
* **CSRF**: every state-changing operation that accepts the session cookie declares the
  ``X-CSRF-Token`` header (required when the cookie is the only scheme; with a bearer token it is
  not needed and not checked).
* **Idempotency**: ``Idempotency-Key`` is required where leaving it out is 422 THC-INPUT-002 (the
  body's ``idempotency_key`` is a deprecated alternative: the same value if both are sent).
* **Descriptions**: every operation has one — its endpoint's own, or one composed from the above.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from thecal.entrypoints.api.csrf import CSRF_HEADER
from thecal.entrypoints.api.deps import SECURITY, SECURITY_SCHEMES, authenticates

__all__ = ["IDEMPOTENCY_HEADER", "SESSION_ONLY", "describe_operation"]

SESSION_ONLY = "x-thecal-session-only"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_UNSAFE = frozenset({"post", "put", "patch", "delete"})
_COOKIE = "APIKeyCookie"
assert _COOKIE in SECURITY_SCHEMES  # noqa: S101 - the scheme name the document uses


def _csrf_parameter(*, required: bool) -> dict[str, Any]:
    return {
        "name": CSRF_HEADER,
        "in": "header",
        "required": required,
        "schema": {"type": "string"},
        "description": (
            "The session's CSRF token (from the log-in answer or the page): required when the "
            "request is authenticated by the session cookie; a missing or wrong one is 403 "
            "THC-WEB-001. Not needed with a bearer token."
        ),
    }


def describe_operation(route: APIRoute, method: str, operation: dict[str, Any]) -> None:
    """Complete one operation of the document (see the module docstring), in place."""
    method = method.lower()
    notes: list[str] = []
    if authenticates(route):
        session_only = bool((route.openapi_extra or {}).get(SESSION_ONLY))
        operation.pop(SESSION_ONLY, None)
        if session_only:
            operation["security"] = [{_COOKIE: []}]
            notes.append(
                "Authentication: the session cookie only — a bearer API token is refused "
                "(403 THC-API-001)."
            )
        else:
            operation["security"] = SECURITY
            notes.append("Authentication: a bearer API token or the session cookie.")
        if method in _UNSAFE:
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == CSRF_HEADER for p in parameters):
                parameters.append(_csrf_parameter(required=session_only))
            notes.append(f"With the session cookie, send {CSRF_HEADER}.")
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name") == IDEMPOTENCY_HEADER:
            parameter["required"] = True
            schema = parameter.get("schema", {})
            choices = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
            if choices:
                parameter["schema"] = choices[0]
            parameter["description"] = (
                "Makes a retried request return the first result (200, replayed: true). "
                "Required: without it (and without the deprecated body field idempotency_key) "
                "the answer is 422 THC-INPUT-002; if both are sent they must be equal."
            )
            notes.append(f"Send an {IDEMPOTENCY_HEADER}: a retry with it returns the first result.")
    if not operation.get("description"):
        summary = operation.get("summary", route.name.replace("_", " "))
        operation["description"] = " ".join([f"{summary}.", *notes])
