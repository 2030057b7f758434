"""``/auth``: log in (a fresh session cookie), log out, and who am I.

The log-in takes the one-time code in the same body (``one_time_code``) when the account needs
one (SR-19): no session, and no cookie, is issued without it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from thecal.bootstrap import Thecal
from thecal.entrypoints.api.csrf import csrf_token, session_cookie
from thecal.entrypoints.api.deps import AuthDep, ThecalDep
from thecal.entrypoints.api.schemas.auth import LoginRequest, SessionPublic
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.users import PasswordChange
from thecal.services.accounts import ChangePassword
from thecal.services.identity import Authenticated, LogIn, LogOut

__all__ = ["router", "session_public", "set_session_cookie"]

router = APIRouter(prefix="/auth", tags=["auth"])


def session_public(thecal: Thecal, auth: Authenticated) -> SessionPublic:
    return SessionPublic(
        user_id=auth.actor.user_id,
        username=auth.username,
        role=auth.actor.role,
        display_name=auth.display_name,
        patient_id=auth.actor.patient_id,
        csrf_token=csrf_token(thecal.settings, auth.session_id) if auth.session_id else None,
    )


def set_session_cookie(response: Response, thecal: Thecal, token: str) -> None:
    """HttpOnly, SameSite=Lax, Secure behind HTTPS; a browser-session cookie (no Max-Age):
    the server decides when the session ends."""
    response.set_cookie(
        session_cookie(thecal.settings),
        token,
        httponly=True,
        samesite="lax",
        secure=thecal.settings.cookies_secure,
        path="/",
    )


_LOGIN_401 = (
    "Not logged in. `code` says why: THC-AUTH-011 wrong username or password; THC-AUTH-016 this "
    "account also needs `one_time_code` (`fields.field` names it); THC-AUTH-017 the one-time code "
    "is wrong, expired or already used (counts as a failed log-in); THC-AUTH-018 this account "
    "must use a one-time code and has no authenticator yet: add `fields.secret` (or "
    "`fields.otpauth_uri`) to an authenticator app and log in again with its current code."
)


@router.post(
    "/login",
    response_model=SessionPublic,
    responses={
        401: {"model": Problem, "description": _LOGIN_401},
        429: {"model": Problem, "description": "THC-AUTH-012: too many failures in an hour."},
    },
    summary="Log in: a new session cookie (the previous one, if any, is ended)",
)
def login(
    body: LoginRequest, request: Request, response: Response, thecal: ThecalDep
) -> SessionPublic:
    result = thecal.run(
        thecal.identity.log_in,
        LogIn(
            username=body.username,
            password=body.password,
            replacing=request.cookies.get(session_cookie(thecal.settings)),
            one_time_code=body.one_time_code,
        ),
    )
    set_session_cookie(response, thecal, result.session_token)
    return session_public(thecal, result.authenticated)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out: the session token stops working at once",
)
def logout(request: Request, response: Response, thecal: ThecalDep, auth: AuthDep) -> Response:
    token = request.cookies.get(session_cookie(thecal.settings))
    if token and auth.session_id:
        thecal.run(thecal.identity.log_out, LogOut(session_token=token))
    response.delete_cookie(session_cookie(thecal.settings), path="/")
    response.status_code = status.HTTP_204_NO_CONTENT
    return response


@router.get("/session", response_model=SessionPublic, summary="Who is logged in")
def current_session(thecal: ThecalDep, auth: AuthDep) -> SessionPublic:
    return session_public(thecal, auth)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"model": Problem}, 422: {"model": Problem}},
    summary="Change your password (current password, and code once enrolled); ends other sessions",
)
def change_password(body: PasswordChange, thecal: ThecalDep, auth: AuthDep) -> Response:
    thecal.run(
        thecal.accounts.change_password,
        ChangePassword(
            actor=auth.actor,
            current_password=body.current_password,
            new_password=body.new_password,
            one_time_code=body.one_time_code,
            keep_session_id=auth.session_id,
        ),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
