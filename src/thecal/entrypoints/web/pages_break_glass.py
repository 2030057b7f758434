"""Break the glass on the web (SR-21, issue 15 §3), and the administrators' review of it.

A physician or nurse who opens a patient outside their care teams is refused (403,
THC-TEAM-004); the refusal page (``routes._error_page``) is :func:`break_glass_form`: a typed
reason (at least :data:`~thecal.domain.care_teams.BREAK_GLASS_REASON_MIN` characters) and a time
limit chosen from :data:`HOURS`. Submitting it runs ``services/care_teams.py`` ``break_glass``
(stored, audited, an urgent review task on the administrators' worklist) and redirects (303) to
the page first asked for; a refused one comes back (422) with what was typed and the message next
to its field. When the time is up the patient is refused again.

Administrators see the open alerts on ``/break-glass-reviews`` (who, which patient, why, until
when) and close each with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.authorization import OutsideCareTeam
from thecal.domain.care_teams import (
    BREAK_GLASS_DEFAULT,
    BREAK_GLASS_LONGEST,
    BREAK_GLASS_REASON_MIN,
)
from thecal.domain.errors import InvalidInput
from thecal.domain.units import Duration
from thecal.entrypoints.api.routers.worklist import worklist_page
from thecal.entrypoints.web.form_fields import FormRefusal
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.care_teams import (
    BreakTheGlass,
    ReviewBreakGlass,
    break_glass,
    review_break_glass,
)
from thecal.services.worklist import MAX_PAGE, WorklistKind

__all__ = ["HOURS", "break_glass_form", "router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
NextPath = Annotated[str, Query(alias="next", max_length=500)]

#: The time limits offered, in hours (clinic policy: at most one shift, 4 hours by default).
HOURS = tuple(
    h
    for h in (1, 2, 4, 8, 12)
    if Duration.hours(h).to_timedelta() <= BREAK_GLASS_LONGEST.to_timedelta()
)
_DEFAULT_HOURS = str(int(BREAK_GLASS_DEFAULT.to_timedelta().total_seconds() // 3600))


def _local(target: str, patient_id: str) -> str:
    """Where to go once the glass is broken: the page first asked for (a local path only)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"/patients/{patient_id}"


def break_glass_form(
    request: Request,
    patient_id: str,
    *,
    next_path: str,
    status_code: int = 403,
    typed: Mapping[str, str] | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    """The refusal of a patient outside the clinician's teams, with the form that opens it."""
    return render(
        request,
        "break_glass.html",
        status_code=status_code,
        patient_id=patient_id,
        next_path=_local(next_path, patient_id),
        hours=HOURS,
        default_hours=_DEFAULT_HOURS,
        reason_min=BREAK_GLASS_REASON_MIN,
        refused_code=OutsideCareTeam.code if status_code == 403 else "",
        form=dict(typed or {}),
        refusal=refusal,
    )


@router.get("/patients/{patient_id}/break-glass", response_class=HTMLResponse)
def break_glass_page(request: Request, patient_id: Ident, next_path: NextPath = "") -> Response:
    page_auth(request)
    return break_glass_form(request, patient_id, next_path=next_path, status_code=200)


@router.post("/patients/{patient_id}/break-glass", response_class=HTMLResponse)
async def break_glass_open(request: Request, patient_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    typed = {k: form.get(k, "") for k in ("reason", "hours")}
    next_path = form.get("next", "")
    hours = typed["hours"]
    if hours not in {str(h) for h in HOURS}:
        offered = ", ".join(str(h) for h in HOURS)
        refusal = FormRefusal(
            message=f"choose a time limit of {offered} hours", code="THC-INPUT-002", field="hours"
        )
        return break_glass_form(
            request, patient_id, next_path=next_path, status_code=422, typed=typed, refusal=refusal
        )
    try:
        thecal_of(request).run(
            break_glass,
            BreakTheGlass(
                actor=auth.actor,
                patient_id=patient_id,
                reason=typed["reason"],
                duration=Duration.hours(int(hours)),
            ),
        )
    except InvalidInput as refused:  # a reason too short or too long
        where = str(refused.fields.get("where", ""))
        field = "hours" if where == "duration" else "reason"
        refusal = FormRefusal(message=refused.message, code=refused.code, field=field)
        return break_glass_form(
            request, patient_id, next_path=next_path, status_code=422, typed=typed, refusal=refusal
        )
    return RedirectResponse(_local(next_path, patient_id), status_code=303)


def _reviews(
    request: Request, *, typed: Mapping[str, str] | None = None, refusal: FormRefusal | None = None
) -> Response:
    auth = page_auth(request)
    page = worklist_page(
        thecal_of(request),
        auth.actor,
        kind=WorklistKind.BREAK_GLASS_REVIEW,
        limit=MAX_PAGE,
        offset=0,
    )
    return render(
        request,
        "break_glass_reviews.html",
        status_code=200 if refusal is None else 422,
        rows=page.rows,
        form=dict(typed or {}),
        refusal=refusal,
    )


@router.get("/break-glass-reviews", response_class=HTMLResponse)
def break_glass_reviews(request: Request) -> Response:
    return _reviews(request)


@router.post("/break-glass-reviews/{task_id}", response_class=HTMLResponse)
async def break_glass_review(request: Request, task_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    note = form.get("note", "")
    try:
        thecal_of(request).run(
            review_break_glass, ReviewBreakGlass(actor=auth.actor, task_id=task_id, note=note)
        )
    except InvalidInput as refused:  # no note, or an over-long one
        refusal = FormRefusal(message=refused.message, code=refused.code, field=f"note-{task_id}")
        return _reviews(request, typed={"task_id": task_id, "note": note}, refusal=refusal)
    return RedirectResponse("/break-glass-reviews", status_code=303)
