"""Templates, the page context, the page-level authentication and CSRF checks.

Every page gets ``auth`` (who is logged in, or None), ``csrf`` (the session-bound token every
form must send back) and ``demo_mode``. Pages of a logged-in user require a valid session; a
form post must carry the session's CSRF token (:func:`require_form_csrf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from thecal.domain.assessment_text import assessment_summary
from thecal.domain.quantity_display import catheter_model_name, drug_unit, pump_model_name, shown
from thecal.domain.time_text import timespan_text
from thecal.entrypoints.api.csrf import CSRF_FIELD, CsrfRejected, csrf_token, tokens_match
from thecal.entrypoints.api.deps import authenticate, thecal_of
from thecal.services.identity import Authenticated
from thecal.services.people import StaffNames, staff_names

__all__ = [
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "page_auth",
    "render",
    "require_form_csrf",
    "templates",
    "thecal_of",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# display only: a volume to 0.1 mL, exact (Decimal quantize, never a float)
templates.env.filters["tenth"] = lambda value: str(Decimal(value).quantize(Decimal("0.1")))
templates.env.filters["timespan"] = timespan_text
templates.env.filters["scores"] = assessment_summary
templates.env.filters["shown"] = shown
#: a drug's dose or concentration at display precision in the drug's one unit
templates.env.filters["drug_shown"] = lambda quantity, drug_id: shown(
    quantity, mass=drug_unit(drug_id)
)
templates.env.filters["pump_model"] = pump_model_name
templates.env.filters["catheter_model"] = catheter_model_name


@pass_context
def _person(context: Mapping[str, Any], user_id: str) -> str:
    """A member of staff's display name on a page (``{{ person(change.proposed_by) }}``)."""
    request = context["request"]
    auth = getattr(request.state, "auth", None)
    if auth is None:
        return "a member of staff"
    names = thecal_of(request).run(staff_names, StaffNames(actor=auth.actor, user_ids=[user_id]))
    return names[user_id]


templates.env.globals["person"] = _person


def page_auth(request: Request) -> Authenticated:
    """The logged-in user of a page (GET or form post; forms check CSRF themselves).

    Raises:
        NotAuthenticated, SessionExpired: the error page handler sends the browser to log in.
    """
    auth = authenticate(request, thecal_of(request), check_csrf=False)
    request.state.auth = auth
    return auth


async def require_form_csrf(request: Request, auth: Authenticated) -> dict[str, str]:
    """The posted form's fields, after checking its CSRF token against the session."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    expected = csrf_token(thecal_of(request).settings, auth.session_id or "")
    if auth.session_id is None or not tokens_match(expected, fields.get(CSRF_FIELD)):
        raise CsrfRejected(detail="the form was not issued for this session")
    return fields


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    thecal = thecal_of(request)
    auth: Authenticated | None = getattr(request.state, "auth", None)
    base = {
        "auth": auth,
        "csrf": csrf_token(thecal.settings, auth.session_id) if auth and auth.session_id else "",
        "csrf_field": CSRF_FIELD,
        "demo_mode": thecal.settings.demo_mode,
        "path": request.url.path,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
