"""Referral pages: the open consultation requests, one referral with its triage (accept into a
patient record — new, or a possible existing patient — decline with a reason, ask for more
information, record the answer). Accepting leads to booking the consultation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.scheduling import PurposeKind, VisitNeed
from thecal.entrypoints.web.form_fields import version
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.scheduling.calendars import ListVisitNeeds, list_visit_needs
from thecal.services.scheduling.referrals import (
    GetReferral,
    ListReferrals,
    TriageReferral,
    TriageStep,
    get_referral,
    list_referrals,
    triage_referral,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

ReferralId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get("/referrals", response_class=HTMLResponse)
def referrals(request: Request) -> Response:
    auth = page_auth(request)
    found = thecal_of(request).run(list_referrals, ListReferrals(actor=auth.actor))
    return render(request, "referrals.html", referrals=found)


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral(request: Request, referral_id: ReferralId) -> Response:
    auth = page_auth(request)
    view = thecal_of(request).run(
        get_referral, GetReferral(actor=auth.actor, referral_id=referral_id)
    )
    return render(request, "referral.html", view=view, r=view.referral, steps=TriageStep)


def _consultation(needs: list[VisitNeed], referral_id: str) -> VisitNeed | None:
    return next(
        (
            n
            for n in needs
            if n.purpose.kind is PurposeKind.REFERRAL and n.purpose.ref == referral_id
        ),
        None,
    )


@router.post("/referrals/{referral_id}/triage")
async def triage(request: Request, referral_id: ReferralId) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    step = (
        TriageStep(form.get("step", ""))
        if form.get("step") in {s.value for s in TriageStep}
        else None
    )
    if step is None:
        return RedirectResponse(f"/referrals/{referral_id}", status_code=303)
    done = thecal.run(
        triage_referral,
        TriageReferral(
            actor=auth.actor,
            referral_id=referral_id,
            step=step,
            expected_version=version(form),
            text=form.get("text", ""),
            mrn=form.get("mrn", ""),
            patient_id=form.get("patient_id") or None,
            setup=thecal.scheduling,
        ),
    )
    if step is TriageStep.ACCEPT and done.patient_id is not None:
        needs = list(
            thecal.run(
                list_visit_needs, ListVisitNeeds(actor=auth.actor, patient_id=done.patient_id)
            )
        )
        need = _consultation(needs, done.id)
        if need is not None:
            return RedirectResponse(f"/visits/book?need={need.id}", status_code=303)
    return RedirectResponse(f"/referrals/{referral_id}", status_code=303)
