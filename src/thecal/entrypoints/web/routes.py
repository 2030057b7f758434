"""The web pages: wiring (:func:`install_web`), log-in/out, the dashboard and error pages.

Pages call the same use cases as the API through ``thecal.run``; authorization is the services'
policy. Errors reach :func:`_error_page`: a missing or expired session goes to the log-in page,
anything else renders ``errors/{status}.html`` saying what went wrong and what to do.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from thecal.bootstrap import Thecal
from thecal.domain.authorization import OutsideCareTeam
from thecal.domain.candidacy import StaleCandidacyVersion
from thecal.domain.credentials import AccountLocked, LoginChallengeInvalid, LoginFailed
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.patient import StalePatientVersion
from thecal.domain.scheduling.appointment import StaleAppointmentVersion
from thecal.domain.scheduling.referral import StaleReferralVersion
from thecal.domain.users import Role
from thecal.entrypoints.api.csrf import (
    CSRF_FIELD,
    CsrfRejected,
    csrf_token,
    login_csrf_cookie,
    new_login_csrf,
    session_cookie,
    tokens_match,
)
from thecal.entrypoints.api.errors import HtmlRenderer
from thecal.entrypoints.api.routers.auth import set_session_cookie
from thecal.entrypoints.api.routers.worklist import PageMemo, worklist_page
from thecal.entrypoints.web import (
    pages_account,
    pages_admin,
    pages_admixture_changes,
    pages_break_glass,
    pages_care_teams,
    pages_console,
    pages_device_events,
    pages_implants,
    pages_intake,
    pages_mri,
    pages_outcomes,
    pages_patients,
    pages_portal,
    pages_pumps,
    pages_referrals,
    pages_refills,
    pages_tasks,
    pages_trials,
    pages_visits,
)
from thecal.entrypoints.web.form_fields import FormRefusal
from thecal.entrypoints.web.pages_break_glass import break_glass_form
from thecal.entrypoints.web.rendering import (
    STATIC_DIR,
    page_auth,
    render,
    require_form_csrf,
    templates,
    thecal_of,
)
from thecal.services.identity import (
    Authenticated,
    CompleteLogIn,
    LogIn,
    LoginResult,
    LogOut,
    SecondFactorNeeded,
)
from thecal.services.pump_record import StalePumpVersion
from thecal.services.repositories.versioned import StaleAggregate
from thecal.services.tasks import StaleTaskVersion
from thecal.services.worklist import (
    DEFAULT_WINDOW,
    KINDS_BY_ROLE,
    MAX_PAGE,
    PRIORITIES,
    TASK_KINDS,
    DueWindow,
    FilteredWorklist,
    WorklistFilter,
    WorklistKind,
    WorklistPage,
    filter_worklist,
)

__all__ = ["install_front", "install_web", "router"]

router = APIRouter(include_in_schema=False)

_ERROR_TEMPLATES = frozenset({400, 401, 403, 404, 405, 409, 422, 429, 500})

#: The conflicts that mean "someone else changed this record since you read it": only these say
#: so on the 409 page; any other conflict (a beyond-use date passed, a verification already used)
#: is headed by its own cause (issue 13 §5).
_STALE_CODES = frozenset(
    error.code
    for error in (
        StaleAggregate,
        StalePumpVersion,
        StaleTaskVersion,
        StalePatientVersion,
        StaleCandidacyVersion,
        StaleAppointmentVersion,
        StaleReferralVersion,
    )
)

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}

#: Behind TLS (``THECAL_HSTS``, on with secure cookies): browsers keep to HTTPS for a year
#: (RFC 6797; OWASP ASVS 14.4.5 asks for at least a year, subdomains included).
HSTS_HEADER = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request, *, message: str = "", status_code: int = 200, next_path: str = "/"
) -> HTMLResponse:
    thecal = thecal_of(request)
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        status_code=status_code,
        message=message,
        login_csrf=token,
        next_path=_safe_next(next_path),
    )
    response.set_cookie(
        login_csrf_cookie(thecal.settings),
        token,
        httponly=True,
        samesite="strict",
        secure=thecal.settings.cookies_secure,
        max_age=3600,
        path="/",
    )
    return response


def _code_page(
    request: Request,
    pending: SecondFactorNeeded,
    *,
    csrf: str,
    next_path: str,
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The log-in's second step: the one-time code (and, to enrol, the new secret)."""
    return render(
        request,
        "login_code.html",
        status_code=status_code,
        message=message,
        pending=pending,
        login_csrf=csrf,
        next_path=_safe_next(next_path),
    )


def _logged_in(request: Request, result: LoginResult, next_path: str) -> Response:
    thecal = thecal_of(request)
    target = _safe_next(next_path)
    if result.authenticated.actor.role is Role.PATIENT and target == "/":
        target = "/portal"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, thecal, result.session_token)
    response.delete_cookie(login_csrf_cookie(thecal.settings), path="/")
    return response


def _check_login_form(request: Request, thecal: Thecal, csrf_token: str) -> None:
    """The log-in forms' double-submit CSRF check (cookie set with the form, field posted back).

    Raises:
        CsrfRejected: the form was not issued to this browser, or has expired.
    """
    if not tokens_match(request.cookies.get(login_csrf_cookie(thecal.settings)), csrf_token):
        raise CsrfRejected(detail="the log-in form has expired")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, reason: str = "", next: str = "/") -> HTMLResponse:  # noqa: A002
    return _login_page(request, message=reason[:200], next_path=next)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    thecal = thecal_of(request)
    _check_login_form(request, thecal, csrf_token)
    try:
        outcome = thecal.run(
            thecal.identity.begin_log_in,
            LogIn(
                username=username.strip(),
                password=password,
                replacing=request.cookies.get(session_cookie(thecal.settings)),
            ),
        )
    except (LoginFailed, AccountLocked) as error:
        status = 429 if isinstance(error, AccountLocked) else 401
        return _login_page(request, message=error.message, status_code=status, next_path=next_path)
    if isinstance(outcome, SecondFactorNeeded):
        return _code_page(request, outcome, csrf=csrf_token, next_path=next_path)
    return _logged_in(request, outcome, next_path)


@router.post("/login/code", response_class=HTMLResponse)
def login_code(
    request: Request,
    challenge: Annotated[str, Form(max_length=500)],
    one_time_code: Annotated[str, Form(max_length=20)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    """The second step: the code for the pending log-in; the session starts only now."""
    thecal = thecal_of(request)
    _check_login_form(request, thecal, csrf_token)
    try:
        result = thecal.run(
            thecal.identity.complete_log_in,
            CompleteLogIn(
                challenge=challenge,
                one_time_code=one_time_code,
                replacing=request.cookies.get(session_cookie(thecal.settings)),
            ),
        )
    except LoginFailed as wrong:  # a wrong or replayed code: ask again while the step lasts
        try:
            pending = thecal.run(thecal.identity.pending_log_in, challenge)
        except LoginChallengeInvalid as ended:
            return _login_page(request, message=ended.message, status_code=401, next_path=next_path)
        return _code_page(
            request,
            pending,
            csrf=csrf_token,
            next_path=next_path,
            message=wrong.message,
            status_code=401,
        )
    except (LoginChallengeInvalid, AccountLocked) as error:
        status = 429 if isinstance(error, AccountLocked) else 401
        return _login_page(request, message=error.message, status_code=status, next_path=next_path)
    return _logged_in(request, result, next_path)


@router.post("/logout")
async def logout(request: Request) -> Response:
    thecal = thecal_of(request)
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    token = request.cookies.get(session_cookie(thecal.settings))
    if token:
        thecal.run(thecal.identity.log_out, LogOut(session_token=token))
    response = RedirectResponse("/login?reason=You+have+logged+out.", status_code=303)
    response.delete_cookie(session_cookie(thecal.settings), path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    auth = page_auth(request)
    if auth.actor.role is Role.PATIENT:
        return RedirectResponse("/portal", status_code=303)
    if auth.actor.role is Role.ADMIN:  # the administrator's worklist: the break-glass alerts
        return RedirectResponse("/break-glass-reviews", status_code=303)
    thecal = thecal_of(request)
    params = request.query_params
    chosen = {name: params.get(name, "").strip() for name in _FILTERS}
    chosen["window"] = chosen["window"] or DEFAULT_WINDOW.value
    try:
        kind, wanted = _worklist_filter(chosen)
    except ValueOutOfRange as refused:  # a hand-edited or stale link: the form, the message
        refusal = FormRefusal(message=refused.message, code=refused.code)
        return _dashboard(request, auth, chosen, refusal=refusal, status_code=422)
    page = worklist_page(thecal, auth.actor, kind=kind, limit=MAX_PAGE, offset=0)
    # filtered and rendered once per (page, filter) (_row_parts), then joined with this
    # session's CSRF token: the parts are Markup, the token is escaped once (Markup.join would
    # escape every part again)
    found, parts = _ROWS.get(page, (wanted,), partial(_row_parts, wanted=wanted))
    csrf = escape(csrf_token(thecal.settings, auth.session_id or ""))
    rows_html = Markup(str(csrf).join(parts))  # noqa: S704
    return _dashboard(request, auth, chosen, found=found, rows_html=rows_html)


#: The worklist page's filters (GET query string, bookmarkable).
_FILTERS = ("window", "kind", "priority", "patient", "model")
_WINDOW_LABELS = {
    DueWindow.OVERDUE: "overdue",
    DueWindow.TODAY: "by the end of today",
    DueWindow.NEXT_7_DAYS: "in the next 7 days",
    DueWindow.NEXT_30_DAYS: "in the next 30 days",
    DueWindow.ALL: "at any time",
}


def _worklist_filter(chosen: dict[str, str]) -> tuple[WorklistKind | None, WorklistFilter]:
    """The kind and filter the form asks for.

    Raises:
        ValueOutOfRange: a value the form does not offer.
    """
    window = _choice(DueWindow, chosen["window"], "due window")
    kind = _choice(WorklistKind, chosen["kind"], "kind") if chosen["kind"] else None
    model = chosen["model"] or None
    if model is not None and model not in reference_library().pumps:
        raise ValueOutOfRange(name="pump model", expected="a known pump model", value=model)
    wanted = WorklistFilter(
        window=window,
        priority=chosen["priority"] or None,
        patient=chosen["patient"] or None,
        model_id=model,
    )
    return kind, wanted


def _choice(enum: type[E], value: str, name: str) -> E:
    try:
        return enum(value)
    except ValueError:
        expected = "one of " + ", ".join(e.value for e in enum)
        raise ValueOutOfRange(name=name, expected=expected, value=value[:40]) from None


def _dashboard(
    request: Request,
    auth: Authenticated,
    chosen: dict[str, str],
    *,
    found: FilteredWorklist | None = None,
    rows_html: Markup | None = None,
    refusal: FormRefusal | None = None,
    status_code: int = 200,
) -> Response:
    role_kinds = KINDS_BY_ROLE.get(auth.actor.role, frozenset(WorklistKind))
    window = DueWindow(chosen["window"]) if chosen["window"] in _WINDOW_VALUES else DEFAULT_WINDOW
    later_href = "/?" + urlencode({**{k: v for k, v in chosen.items() if v}, "window": "all"})
    return render(
        request,
        "dashboard.html",
        status_code=status_code,
        rows=found.rows if found else (),
        as_of=found.as_of if found else None,
        later=found.later if found else 0,
        complete=found.complete if found else True,
        rows_html=rows_html,
        chosen=chosen,
        refusal=refusal,
        filtered=any(chosen[k] for k in ("kind", "priority", "patient", "model")),
        window_label=_WINDOW_LABELS[window],
        later_href=later_href,
        windows=[(w.value, _WINDOW_LABELS[w]) for w in DueWindow],
        kinds=[k for k in WorklistKind if k in role_kinds],
        priorities=PRIORITIES,
        models=sorted(reference_library().pumps.values(), key=lambda m: m.name),
        max_rows=MAX_PAGE,
    )


_WINDOW_VALUES = frozenset(w.value for w in DueWindow)
E = TypeVar("E", bound=StrEnum)

#: Where each viewer's CSRF token goes in the shared rows: random per process, so no stored
#: text can contain it (escaped data never spells a 32-digit secret it cannot know).
_CSRF_SLOT = secrets.token_hex(16)
_TASK_KINDS = frozenset(TASK_KINDS.values())  # rows with a "Done" button (pages_tasks.py)
_ROWS: PageMemo[tuple[FilteredWorklist, tuple[Markup, ...]]] = PageMemo()


def _row_parts(
    page: WorklistPage, *, wanted: WorklistFilter
) -> tuple[FilteredWorklist, tuple[Markup, ...]]:
    """The page's rows that pass the filter, and as HTML split where the viewer's CSRF token goes
    (dashboard.html)."""
    found = filter_worklist(page, wanted)
    html = templates.get_template("_worklist_rows.html").render(
        rows=found.rows,
        as_of=found.as_of,
        task_kinds=_TASK_KINDS,
        csrf=_CSRF_SLOT,
        csrf_field=CSRF_FIELD,
    )
    parts = tuple(Markup(part) for part in html.split(_CSRF_SLOT))  # noqa: S704 - escaped
    return found, parts


def _error_page(request: Request, problem: Mapping[str, Any]) -> Response:
    status, detail, code = int(problem["status"]), str(problem["detail"]), str(problem["code"])
    if status == 401:
        target = quote(request.url.path if request.method == "GET" else "/", safe="/")
        if session_cookie(thecal_of(request).settings) not in request.cookies:
            # a first visit is not an error: the log-in page opens without a message
            return RedirectResponse(f"/login?next={target}", status_code=303)
        reason = quote(detail[:200])
        return RedirectResponse(f"/login?reason={reason}&next={target}", status_code=303)
    patient_id = str(problem.get("fields", {}).get("patient_id", ""))
    if code == OutsideCareTeam.code and patient_id:  # SR-21: the refusal offers break-the-glass
        here = request.url.path if request.method == "GET" else ""
        return break_glass_form(request, patient_id, next_path=here)
    template = f"errors/{status if status in _ERROR_TEMPLATES else 500}.html"
    return render(
        request,
        template,
        status_code=status,
        title=str(problem["title"]),
        detail=detail,
        code=code,
        stale=code in _STALE_CODES,
    )


def install_front(app: FastAPI) -> None:
    """The log-in, log-out and dashboard routes: included before the API's, because routes are
    matched in order and ``/`` is the page every user lands on (then :func:`install_web`)."""
    app.include_router(router)


def install_web(app: FastAPI, thecal: Thecal) -> HtmlRenderer:
    """Mount the other pages and static files; return the error-page renderer for the handlers
    (after :func:`install_front`)."""
    # the pages read thecal from app.state, like the API; its settings choose HSTS here
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(pages_patients.router)
    app.include_router(pages_admin.router)
    app.include_router(pages_care_teams.router)
    app.include_router(pages_break_glass.router)
    app.include_router(pages_account.router)
    app.include_router(pages_pumps.router)
    app.include_router(pages_refills.router)
    app.include_router(pages_admixture_changes.router)
    app.include_router(pages_outcomes.router)
    app.include_router(pages_console.router)
    app.include_router(pages_trials.router)
    app.include_router(pages_implants.router)
    app.include_router(pages_mri.router)
    app.include_router(pages_device_events.router)
    app.include_router(pages_portal.router)
    app.include_router(pages_tasks.router)
    app.include_router(pages_intake.router)
    app.include_router(pages_referrals.router)
    app.include_router(pages_visits.router)

    app.add_middleware(SecurityHeaders, hsts=thecal.settings.hsts_enabled)
    return _error_page


class SecurityHeaders:
    """Adds :data:`_SECURITY_HEADERS` (and, behind TLS, HSTS) to every response that does not
    set them itself.

    A plain ASGI middleware (it edits the response-start message): ``@app.middleware("http")``
    would run every request through a task and a memory stream, a measurable cost per request.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = dict(_SECURITY_HEADERS)
        if hsts:
            self.headers[HSTS_HEADER[0]] = HSTS_HEADER[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
