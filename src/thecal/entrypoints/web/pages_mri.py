"""MRI pages: plan a scan for a pump (time, field strength), see what the pump model requires
(a Prometra must be emptied, S58, S59; a SynchroMed stalls and recovers, S55), empty the pump
through the driver, clear the patient (physician), record the scan. Clearance and the scan put
the post-MRI interrogation task on the worklist (``services/mri.py``, SR-15).

A refusal the clinician must act on (emptying missing, field too strong) is shown on the plan page.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.authorization import Action
from thecal.domain.errors import InvalidInput, NotFound, RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.mri import (
    DEFAULT_MAX_FIELD_T,
    MriEmptyingMissing,
    MriFieldNotCleared,
    MriPlan,
)
from thecal.entrypoints.web.form_fields import (
    FieldRefused,
    FormRefusal,
    at_field,
    decimal_number,
    local_instant,
)
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    GetMriPlan,
    PlanMri,
    RecordMriScan,
    clear_mri,
    empty_pump_for_mri,
    get_mri_plan,
    plan_mri,
    record_mri_scan,
)
from thecal.services.pump_record import Pump
from thecal.services.pumps import GetPump, OpenPumpForm, get_pump, open_pump_form

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
_REFUSALS = (MriEmptyingMissing, MriFieldNotCleared)


def _new_page(
    request: Request,
    pump_id: str,
    *,
    typed: dict[str, str] | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    """The MRI plan form: empty, or again with what was typed and why it was refused (422)."""
    auth = page_auth(request)
    pump = thecal_of(request).run(
        open_pump_form, OpenPumpForm(actor=auth.actor, pump_id=pump_id, action=Action.MRI_PLAN)
    )
    return render(
        request,
        "mri_new.html",
        status_code=200 if refusal is None else 422,
        pump=pump,
        model=reference_library().pump(pump.model_id),
        max_field_t=DEFAULT_MAX_FIELD_T,
        form=typed or {},
        refusal=refusal,
    )


@router.get("/pumps/{pump_id}/mri/new", response_class=HTMLResponse)
def mri_new(request: Request, pump_id: Ident) -> Response:
    return _new_page(request, pump_id)


def _refusal(error: FieldRefused | InvalidInput) -> FormRefusal:
    """Next to the scan time or the field strength when the service's error names one."""
    if isinstance(error, FieldRefused):
        return FormRefusal.of(error)
    named = f"{error.fields.get('where', '')} {error.fields.get('name', '')}"
    field = "scan_at" if "scan" in named else "field_strength_t" if "field" in named else ""
    return FormRefusal(message=error.message, code=error.code, field=field)


@router.post("/pumps/{pump_id}/mri", response_class=HTMLResponse)
async def mri_plan(request: Request, pump_id: Ident) -> Response:
    """Plan an MRI; a time that is not one or is past, a field strength the pump is not
    conditional for, comes back as typed with the message next to its field (issue 13 §5)."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        plan = thecal_of(request).run(
            plan_mri,
            PlanMri(
                actor=auth.actor,
                pump_id=pump_id,
                scan_at=at_field("scan_at", partial(local_instant, form, "scan_at", "scan time")),
                field_strength_t=at_field(
                    "field_strength_t",
                    partial(decimal_number, form, "field_strength_t", "field strength (T)"),
                ),
            ),
        )
    except (FieldRefused, InvalidInput) as refused:
        typed = {k: form.get(k, "") for k in ("scan_at", "field_strength_t")}
        return _new_page(request, pump_id, typed=typed, refusal=_refusal(refused))
    return RedirectResponse(f"/pumps/{pump_id}/mri/{plan.plan_id}", status_code=303)


def _plan_of_pump(request: Request, pump_id: str, plan_id: str) -> tuple[MriPlan, Pump]:
    """The plan and its pump; a plan of another pump is not found here."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    plan = thecal.run(get_mri_plan, GetMriPlan(actor=auth.actor, plan_id=plan_id))
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    if pump.serial != plan.pump_serial or pump.patient_id != plan.patient_id:
        raise NotFound(kind="MRI plan", ident=f"{plan_id} for pump {pump_id}")
    return plan, pump


def _plan_page(
    request: Request,
    pump_id: str,
    plan_id: str,
    *,
    refusal: Exception | None = None,
    status_code: int = 200,
) -> Response:
    plan, pump = _plan_of_pump(request, pump_id, plan_id)
    return render(
        request,
        "mri.html",
        status_code=status_code,
        plan=plan,
        pump=pump,
        max_field_t=DEFAULT_MAX_FIELD_T,
        refusal=refusal,
    )


@router.get("/pumps/{pump_id}/mri/{plan_id}", response_class=HTMLResponse)
def mri_page(request: Request, pump_id: Ident, plan_id: Ident) -> Response:
    return _plan_page(request, pump_id, plan_id)


@router.post("/pumps/{pump_id}/mri/{plan_id}/emptying", response_class=HTMLResponse)
async def mri_empty(request: Request, pump_id: Ident, plan_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    pump_version = form.get("pump_version", "").strip()
    if not pump_version.isdigit():
        raise RequestInvalid(where="pump_version", detail="reload the page and try again")
    _plan_of_pump(request, pump_id, plan_id)
    thecal_of(request).run_device(
        empty_pump_for_mri,
        EmptyPumpForMri(actor=auth.actor, plan_id=plan_id, expected_pump_version=int(pump_version)),
    )
    return RedirectResponse(f"/pumps/{pump_id}/mri/{plan_id}", status_code=303)


@router.post("/pumps/{pump_id}/mri/{plan_id}/clearance", response_class=HTMLResponse)
async def mri_clear(request: Request, pump_id: Ident, plan_id: Ident) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    try:
        thecal_of(request).run(clear_mri, ClearMri(actor=auth.actor, plan_id=plan_id))
    except _REFUSALS as refusal:
        return _plan_page(request, pump_id, plan_id, refusal=refusal, status_code=409)
    return RedirectResponse(f"/pumps/{pump_id}/mri/{plan_id}", status_code=303)


@router.post("/pumps/{pump_id}/mri/{plan_id}/scan", response_class=HTMLResponse)
async def mri_scan(request: Request, pump_id: Ident, plan_id: Ident) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    thecal_of(request).run(record_mri_scan, RecordMriScan(actor=auth.actor, plan_id=plan_id))
    return RedirectResponse(f"/pumps/{pump_id}/mri/{plan_id}", status_code=303)
