"""The public consultation request page (``/consultation``): no log-in, and nothing it answers
depends on who the clinic's patients are.

Guards (docs/scheduling.md): a double-submit CSRF token (a random value in a short-lived cookie
the form repeats, as on the log-in form); a body limit of :data:`MAX_BODY` bytes, read
incrementally (a larger body is refused with 413 before it is read whole); at most
:data:`MAX_FIELDS` fields; every field's own length limit and check (``IntakeForm``), each
refusal named on the form; a honeypot field people never see (a bot that fills it gets the same
thank-you page, and nothing is stored); and two throttles per client — the service refuses more
than 5 stored referrals an hour (in the database, so across server processes), and this page
refuses more than :data:`MAX_ATTEMPTS` submissions in :data:`ATTEMPT_WINDOW` from one client in
this process (malformed ones included). The client is a keyed hash of its address.

The throttle and body limit here are minimal and self-contained on purpose: the security work
(issue 15) brings one request-body limit and database throttles for every form; this page should
move to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.candidacy import Indication
from thecal.domain.errors import InvalidInput
from thecal.domain.scheduling import IntakeForm, ReferralInvalid, ReferralSource, TriedTreatment
from thecal.entrypoints.api.csrf import new_login_csrf, tokens_match
from thecal.entrypoints.web.rendering import render, thecal_of
from thecal.services.scheduling.referrals import IntakeThrottled, SubmitReferral, submit_referral

__all__ = ["ATTEMPT_WINDOW", "MAX_ATTEMPTS", "MAX_BODY", "MAX_FIELDS", "IntakeLimiter", "router"]

router = APIRouter(include_in_schema=False)

MAX_BODY = 16 * 1024  # bytes: the longest honest request is about 6 KiB
MAX_FIELDS = 40
MAX_ATTEMPTS = 20
ATTEMPT_WINDOW = 600.0  # seconds
_HONEYPOT = "website"
_CSRF = "intake_token"
_FIELDS = (
    "source", "family_name", "given_names", "birth_date", "email", "phone", "condition",
    "tried", "tried_details", "referrer_name", "referrer_practice", "referrer_contact",
    "message", "consent", _HONEYPOT, _CSRF,
)  # fmt: skip


class IntakeLimiter:
    """Submissions per client in a sliding window (this process only; see the module docstring)."""

    def __init__(self, limit: int = MAX_ATTEMPTS, window_s: float = ATTEMPT_WINDOW) -> None:
        self.limit, self.window_s = limit, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 10_000:  # forget idle clients rather than grow without bound
                self._seen = {
                    k: v for k, v in self._seen.items() if v and now - v[-1] < self.window_s
                }
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.window_s:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True


_LIMITER = IntakeLimiter()


def _cookie(request: Request) -> str:
    secure = thecal_of(request).settings.cookies_secure
    return "__Host-thecal_intake" if secure else "thecal_intake"


def _client_key(request: Request) -> str:
    address = request.client.host if request.client else "unknown"
    key = thecal_of(request).settings.session_secret_bytes
    return hmac.new(key, f"intake:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def _page(
    request: Request,
    *,
    status_code: int = 200,
    message: str = "",
    values: dict[str, Any] | None = None,
    sent: bool = False,
) -> HTMLResponse:
    token = new_login_csrf()
    response = render(
        request,
        "consultation.html",
        status_code=status_code,
        message=message,
        values=values or {},
        sent=sent,
        token=token,
        token_field=_CSRF,
        honeypot=_HONEYPOT,
        conditions=list(Indication),
        treatments=list(TriedTreatment),
        clinic=thecal_of(request).scheduling.name,
    )
    response.set_cookie(
        _cookie(request),
        token,
        httponly=True,
        samesite="strict",
        secure=thecal_of(request).settings.cookies_secure,
        max_age=3600,
        path="/consultation",
    )
    return response


@router.get("/consultation", response_class=HTMLResponse)
def consultation_form(request: Request, sent: str = "") -> Response:
    """The form; ``?sent=1`` is the thanks a sent request redirects to (post/redirect/get: a
    reload sends nothing again)."""
    return _page(request, sent=sent == "1")


#: Where a sent request lands: the same thanks whoever asks (and for a robot's honeypot).
_SENT = "/consultation?sent=1"


async def _body(request: Request) -> bytes | None:
    """The body, read incrementally; None once it passes :data:`MAX_BODY`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            return None
    return bytes(data)


def _fields(body: bytes) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(
            body.decode("utf-8", errors="strict"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise ReferralInvalid(
            where="form", detail="the request could not be read; please use the form on this page"
        ) from None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        if name in _FIELDS:
            fields.setdefault(name, []).append(value)
    return fields


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name, [""])
    if len(values) != 1:
        raise ReferralInvalid(where=name.replace("_", " "), detail="was sent more than once")
    return values[0]


def _form(fields: dict[str, list[str]]) -> IntakeForm:
    try:
        source = ReferralSource(_one(fields, "source") or "patient")
    except ValueError:
        raise ReferralInvalid(
            where="who is asking", detail="choose the patient or a clinician"
        ) from None
    try:
        condition = Indication(_one(fields, "condition"))
    except ValueError:
        raise ReferralInvalid(where="condition", detail="choose one from the list") from None
    try:
        tried = frozenset(TriedTreatment(t) for t in fields.get("tried", []))
    except ValueError:
        raise ReferralInvalid(where="treatments tried", detail="choose from the list") from None
    text = _one(fields, "birth_date").strip()
    try:
        birth_date = dt.date.fromisoformat(text)
    except ValueError:
        raise ReferralInvalid(
            where="birth date", detail=f"{text[:20]!r} is not a date (YYYY-MM-DD)"
        ) from None
    return IntakeForm(
        source=source,
        family_name=_one(fields, "family_name"),
        given_names=_one(fields, "given_names"),
        birth_date=birth_date,
        email=_one(fields, "email"),
        phone=_one(fields, "phone"),
        condition=condition,
        tried=tried,
        tried_details=_one(fields, "tried_details"),
        consent_to_contact=_one(fields, "consent") == "yes",
        referrer_name=_one(fields, "referrer_name"),
        referrer_practice=_one(fields, "referrer_practice"),
        referrer_contact=_one(fields, "referrer_contact"),
        message=_one(fields, "message"),
    )


@router.post("/consultation", response_class=HTMLResponse)
async def consultation_request(request: Request) -> Response:
    thecal = thecal_of(request)
    client = _client_key(request)
    if not _LIMITER.allow(client, time.monotonic()):
        return _page(request, status_code=429, message=IntakeThrottled().message)
    body = await _body(request)
    if body is None:
        return _page(
            request,
            status_code=413,
            message=f"The request is larger than this form allows ({MAX_BODY // 1024} KiB). "
            "Please shorten the longer answers and send it again.",
        )
    values: dict[str, Any] = {}
    try:
        fields = _fields(body)
        values = {
            k: (v if k == "tried" else v[0])
            for k, v in fields.items()
            if k not in {_CSRF, _HONEYPOT}
        }
        if not tokens_match(request.cookies.get(_cookie(request)), _one(fields, _CSRF)):
            raise ReferralInvalid(
                where="form",
                detail="the form has expired; please check your answers and send it again",
            )
        if _one(fields, _HONEYPOT):  # only a robot fills the hidden field: thank it, keep nothing
            return RedirectResponse(_SENT, status_code=303)
        form = _form(fields)
        thecal.run(submit_referral, SubmitReferral(form=form, client_key=client))
    except (ReferralInvalid, InvalidInput) as refused:
        return _page(request, status_code=422, message=refused.message, values=values)
    except IntakeThrottled as throttled:
        return _page(request, status_code=429, message=throttled.message, values=values)
    return RedirectResponse(_SENT, status_code=303)
