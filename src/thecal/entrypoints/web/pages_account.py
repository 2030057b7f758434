"""The user's own account page: the one-time-code authenticator's status and self-service enrolment.

``/account/security`` shows whether an authenticator is set up (SR-19); an account without one
starts an enrolment (a new secret, shown as text and as an ``otpauth://`` link) and confirms it
with the app's current code. Removing an enrolled authenticator is an administrator's recovery
(``thecal users mfa-reset``), not self-service.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.credentials import OneTimeCodeWrong
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.identity import ConfirmEnrolment, ReadMfaStatus, StartEnrolment

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = "/account/security"


def _page(request: Request, *, message: str = "", status_code: int = 200) -> HTMLResponse:
    auth = page_auth(request)
    thecal = thecal_of(request)
    status = thecal.run(thecal.identity.mfa_status, ReadMfaStatus(actor=auth.actor))
    return render(
        request, "account_security.html", status=status, message=message, status_code=status_code
    )


@router.get(_PAGE, response_class=HTMLResponse)
def security(request: Request) -> Response:
    return _page(request)


@router.post(f"{_PAGE}/enrolment", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    thecal.run(thecal.identity.start_enrolment, StartEnrolment(actor=auth.actor))
    return RedirectResponse(_PAGE, status_code=303)


@router.post(f"{_PAGE}/confirmation", response_class=HTMLResponse)
async def confirm(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        thecal.run(
            thecal.identity.confirm_enrolment,
            ConfirmEnrolment(actor=auth.actor, one_time_code=form.get("one_time_code", "")[:20]),
        )
    except OneTimeCodeWrong as wrong:
        return _page(request, message=wrong.message, status_code=400)
    return RedirectResponse(_PAGE, status_code=303)
