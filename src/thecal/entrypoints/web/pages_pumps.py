"""Pump and program-change pages: the pump's program, interrogation, proposing a new daily dose,
and the program change with current and proposed settings side by side, the findings by
severity, sign and co-sign (each with re-authentication bound to the diff shown, SR-16) and send.

Every step is a pathway use case; this module only turns forms into commands.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    FindingSeverity,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    program_parameters,
)
from thecal.domain.units import DoseRate
from thecal.domain.users import Role
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.admixture_changes import AwaitingRefill, list_awaiting_refill
from thecal.services.device import InterrogatePump, Interrogation, interrogate_pump
from thecal.services.identity import ReadMfaStatus, Reauthenticate
from thecal.services.program_changes import (
    CoSignProgramChange,
    GetProgramChange,
    ProposeProgramChange,
    SendProgramChange,
    SignProgramChange,
    cosign_program_change,
    get_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_reads import GetPumpOverview, get_pump_overview
from thecal.services.pumps import GetPump, get_pump

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
SEVERITY_ORDER = (
    FindingSeverity.BLOCK,
    FindingSeverity.OVERRIDE,
    FindingSeverity.WARN,
    FindingSeverity.INFO,
)


def _pump_page(request: Request, pump_id: str, interrogation: Interrogation | None) -> Response:
    auth = page_auth(request)
    seen = thecal_of(request).run(
        get_pump_overview, GetPumpOverview(actor=auth.actor, pump_id=pump_id)
    )
    pump = seen.pump
    clinician = auth.actor.role in {Role.PHYSICIAN, Role.NURSE}
    awaiting = (
        thecal_of(request).run(
            list_awaiting_refill, AwaitingRefill(actor=auth.actor, pump_id=pump_id)
        )
        if clinician
        else ()
    )
    return render(
        request,
        "pump.html",
        pump=pump,
        awaiting_refill=awaiting,
        reservoir=seen.reservoir,
        parameters=program_parameters(pump.program),
        interrogation=interrogation,
        interrogated=program_parameters(interrogation.snapshot.program)
        if interrogation and interrogation.snapshot.program
        else (),
    )


@router.get("/pumps/{pump_id}", response_class=HTMLResponse)
def pump_page(request: Request, pump_id: Ident) -> Response:
    return _pump_page(request, pump_id, None)


@router.post("/pumps/{pump_id}/interrogate", response_class=HTMLResponse)
async def pump_interrogate(request: Request, pump_id: Ident) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    result = thecal_of(request).run_device(
        interrogate_pump, InterrogatePump(actor=auth.actor, pump_id=pump_id)
    )
    return _pump_page(request, pump_id, result)


@router.post("/pumps/{pump_id}/program-changes", response_class=HTMLResponse)
async def propose(request: Request, pump_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    try:
        mg_per_day = Decimal(form.get("daily_dose_mg_per_day", "").strip())
    except InvalidOperation:
        raise RequestInvalid(
            where="daily dose", detail="enter the new daily dose in mg/day, e.g. 5.5"
        ) from None
    if not mg_per_day.is_finite() or mg_per_day <= 0:
        raise RequestInvalid(where="daily dose", detail="must be a positive number of mg/day")
    new_program = InfusionProgram.continuous(
        pump.admixture,
        DoseRate.from_mg_per_day(mg_per_day),
        patient_bolus=pump.program.patient_bolus,
    )
    outcome = thecal.run(
        propose_program_change,
        ProposeProgramChange(
            actor=auth.actor,
            pump_id=pump_id,
            new_program=new_program,
            idempotency_key=form.get("idempotency_key") or str(uuid.uuid4()),
            rationale=form.get("rationale", ""),
        ),
    )
    # A resubmitted form (same key) lands on the change it proposed the first time.
    change_id = outcome.change.change_id
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


def _change_context(change: ProgramChange) -> dict[str, Any]:
    transition, sent = change.transition, change.sent_at
    return {
        "change": change,
        # an admixture change sent behind a bridge: when the new admixture reaches the tip
        "bridge_ends": sent + transition.lag.to_timedelta()
        if transition is not None and transition.bridge and sent is not None
        else None,
        "findings": [(s, change.findings_of(s)) for s in SEVERITY_ORDER if change.findings_of(s)],
        "override_reasons": list(OverrideReason),
    }


@router.get("/pumps/{pump_id}/program-changes/{change_id}", response_class=HTMLResponse)
def change_page(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    change = thecal.run(get_program_change, GetProgramChange(actor=auth.actor, change_id=change_id))
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    if pump.patient_id != change.patient_id:
        raise NotFound(kind="program change", ident=f"{change_id} for pump {pump_id}")
    needs_code = thecal.run(thecal.identity.mfa_status, ReadMfaStatus(actor=auth.actor)).enrolled
    return render(
        request, "program_change.html", pump=pump, needs_code=needs_code, **_change_context(change)
    )


async def _confirmed(request: Request, change_id: str) -> tuple[Any, dict[str, str], Any]:
    """Re-authenticate on the diff the page showed: a token bound to that exact digest."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    token = thecal_of(request).run(
        thecal_of(request).identity.reauthenticate,
        Reauthenticate(
            actor=auth.actor,
            password=form.get("password", ""),
            one_time_code=form.get("one_time_code") or None,
            change_id=change_id,
            diff_digest=form.get("diff_digest", ""),
        ),
    )
    return auth, form, token


@router.post("/pumps/{pump_id}/program-changes/{change_id}/sign", response_class=HTMLResponse)
async def sign(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth, form, token = await _confirmed(request, change_id)
    raw = await request.form()
    overrides = tuple(
        OverrideJustification(
            finding_code=code,
            reason=OverrideReason(form.get(f"override_reason_{code}", "clinical-judgement")),
            text=form.get(f"override_text_{code}", ""),
        )
        for code in raw.getlist("override")
        if isinstance(code, str)
    )
    thecal_of(request).run(
        sign_program_change,
        SignProgramChange(
            actor=auth.actor,
            change_id=change_id,
            token=token,
            overrides=overrides,
            acknowledged_warnings=frozenset(
                w for w in raw.getlist("acknowledge") if isinstance(w, str)
            ),
        ),
    )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


@router.post("/pumps/{pump_id}/program-changes/{change_id}/cosign", response_class=HTMLResponse)
async def cosign(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth, _, token = await _confirmed(request, change_id)
    thecal = thecal_of(request)
    thecal.run(
        cosign_program_change,
        CoSignProgramChange(
            actor=auth.actor,
            change_id=change_id,
            token=token,
            policy=thecal.co_signing_policy,
        ),
    )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


@router.post("/pumps/{pump_id}/program-changes/{change_id}/send", response_class=HTMLResponse)
async def send(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    version = form.get("pump_version", "")
    if not version.isdigit():
        raise RequestInvalid(where="pump_version", detail="reload the page and send again")
    thecal_of(request).run_device(
        send_program_change,
        SendProgramChange(
            actor=auth.actor, change_id=change_id, expected_pump_version=int(version)
        ),
    )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)
