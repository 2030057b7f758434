"""FastAPI dependencies: the wired application and the current user (session cookie or token).

Authentication happens here, once; authorization stays in the services (deny by default, one
policy). A request authenticated by the session cookie that changes state must carry the CSRF
token in ``X-CSRF-Token``; bearer-token clients send no cookies and need none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from thecal.bootstrap import Thecal
from thecal.domain.credentials import NotAuthenticated
from thecal.domain.users import Actor
from thecal.entrypoints.api.csrf import (
    CSRF_HEADER,
    CsrfRejected,
    csrf_token,
    session_cookie,
    tokens_match,
)
from thecal.services.identity import Authenticated, AuthenticateSession, AuthenticateToken

__all__ = [
    "SAFE_METHODS",
    "SECURITY",
    "SECURITY_SCHEMES",
    "AuthDep",
    "CurrentActor",
    "ThecalDep",
    "authenticate",
    "authenticates",
    "get_thecal",
    "thecal_of",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Each dependency costs every request a step of FastAPI's dependency solving, and a sync one a
# hand-off to a worker thread: dependencies that never block are ``async def``, and the session
# check (``_current``) reads the request itself. The two ways to authenticate are documented in
# the OpenAPI document by :func:`authenticates` (app.py) rather than by security dependencies
# that would run on every request only to be ignored.

#: The OpenAPI security schemes: a bearer API token, or the web session cookie.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "HTTPBearer": {
        "type": "http",
        "description": "An API token issued by an administrator.",
        "scheme": "bearer",
    },
    "APIKeyCookie": {
        "type": "apiKey",
        "description": "The browser session (web log-in).",
        "in": "cookie",
        "name": "thecal_session",
    },
}
#: The security requirement of an authenticated operation: either scheme.
SECURITY: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]


def thecal_of(request: Request) -> Thecal:
    """The wired application serving ``request``."""
    thecal: Thecal = request.app.state.thecal
    return thecal


async def get_thecal(request: Request) -> Thecal:
    return thecal_of(request)


ThecalDep = Annotated[Thecal, Depends(get_thecal)]


def authenticate(request: Request, thecal: Thecal, *, check_csrf: bool = True) -> Authenticated:
    """The user behind the bearer token or the session cookie.

    Raises:
        NotAuthenticated, SessionExpired: no valid credentials.
        CsrfRejected: a cookie-authenticated state change without the session's CSRF token.
    """
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return thecal.run(
            thecal.identity.authenticate_token, AuthenticateToken(api_token=credential.strip())
        )
    token = request.cookies.get(session_cookie(thecal.settings))
    if not token:
        raise NotAuthenticated(detail="send a session cookie or an 'Authorization: Bearer' token")
    auth = thecal.run(
        thecal.identity.authenticate_session, AuthenticateSession(session_token=token)
    )
    if check_csrf and request.method not in SAFE_METHODS:
        assert auth.session_id is not None  # noqa: S101 - sessions always have an id
        expected = csrf_token(thecal.settings, auth.session_id)
        if not tokens_match(expected, request.headers.get(CSRF_HEADER)):
            raise CsrfRejected(detail=f"send the {CSRF_HEADER} header")
    return auth


def _current(request: Request) -> Authenticated:
    return authenticate(request, thecal_of(request))


AuthDep = Annotated[Authenticated, Depends(_current)]


async def _actor(auth: AuthDep) -> Actor:
    return auth.actor


CurrentActor = Annotated[Actor, Depends(_actor)]


def authenticates(route: APIRoute) -> bool:
    """True if the route authenticates its caller (it depends on the current user)."""
    return any(dependant.call is _current for dependant in _dependants(route.dependant))


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependants(sub)
