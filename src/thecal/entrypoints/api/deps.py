"""FastAPI dependencies: the wired application and the current user (session cookie or token).

Authentication happens here, once; authorization stays in the services (deny by default, one
policy). A request authenticated by the session cookie that changes state must carry the CSRF
token in ``X-CSRF-Token``; bearer-token clients send no cookies and need none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from thecal.bootstrap import Thecal
from thecal.domain.credentials import NotAuthenticated
from thecal.domain.errors import RequestInvalid
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
    "AuthDep",
    "CurrentActor",
    "ThecalDep",
    "authenticate",
    "get_thecal",
    "reject_repeated_query",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Dependencies that never block are ``async def``: FastAPI runs a sync dependency in a worker
# thread, a hand-off per dependency per request (measurable under load). The session check
# (``_current``) reads the database and stays sync.

_bearer = HTTPBearer(auto_error=False, description="An API token issued by an administrator.")
_cookie = APIKeyCookie(
    name="thecal_session", auto_error=False, description="The browser session (web log-in)."
)


async def reject_repeated_query(request: Request) -> None:
    """A query parameter given twice is ambiguous: refuse it rather than pick one (SR-23).

    Raises:
        RequestInvalid: naming the repeated parameter.
    """
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen:
            raise RequestInvalid(where=f"query.{key}", detail="is given more than once")
        seen.add(key)


async def get_thecal(request: Request) -> Thecal:
    thecal: Thecal = request.app.state.thecal
    return thecal


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


def _current(
    request: Request,
    thecal: ThecalDep,
    _bearer_doc: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _cookie_doc: Annotated[str | None, Depends(_cookie)],
) -> Authenticated:
    # The two security dependencies only document the schemes in OpenAPI; `authenticate`
    # reads the request itself (the cookie name depends on the settings).
    return authenticate(request, thecal)


AuthDep = Annotated[Authenticated, Depends(_current)]


async def _actor(auth: AuthDep) -> Actor:
    return auth.actor


CurrentActor = Annotated[Actor, Depends(_actor)]
