"""A query parameter given twice is ambiguous: the API refuses it rather than pick one (SR-23).

A plain ASGI middleware in front of the routes under ``/api/v1``: it looks at the raw query
string once per request (a request with at most one parameter is let through without parsing)
and answers a repeated parameter with the same problem document the error handlers give a
:class:`~thecal.domain.errors.RequestInvalid` (``errors.problem_response``). As a dependency of
every API route it cost each request a step of FastAPI's dependency solving.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.api.errors import problem_response

__all__ = ["RepeatedQueryGuard", "first_repeated"]


def first_repeated(query_string: bytes) -> str | None:
    """The first query parameter given more than once, if any (decoded as Starlette does)."""
    if b"&" not in query_string:
        return None  # at most one parameter
    seen: set[str] = set()
    for key, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if key in seen:
            return key
        seen.add(key)
    return None


class RepeatedQueryGuard:
    """Refuses requests under ``prefix`` whose query string repeats a parameter (422)."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            repeated = first_repeated(scope.get("query_string", b""))
            if repeated is not None:
                error = RequestInvalid(where=f"query.{repeated}", detail="is given more than once")
                await problem_response(error, instance=scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)
