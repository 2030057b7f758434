"""Pump and program-change pages: the pump's program, interrogation, the program editor
(continuous or flex steps, patient bolus, low-reservoir alarm; every dose in the drug's library
unit), the pending changes with their state and withdrawal, and the program change with current
and proposed settings side by side, the findings by severity, sign and co-sign (each with
re-authentication bound to the diff shown, SR-16) and send.

Errors keep the work (issue 13 §5): a refused proposal re-shows the editor with what was typed and
the message; a wrong password at signing re-shows the signing form with the message and the
answers given. Every successful POST redirects (post/redirect/get), so a reload repeats nothing.

Every step is a pathway use case; this module only turns forms into commands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.authorization import Action, Subject, is_allowed
from thecal.domain.credentials import LoginFailed, OneTimeCodeRequired
from thecal.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RequestInvalid,
    SafetyBlocked,
    ThecalError,
)
from thecal.domain.forecast import RefillPlan
from thecal.domain.library import reference_library
from thecal.domain.mri import DEFAULT_MAX_FIELD_T
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    ConfirmationRejected,
    FindingSeverity,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeState,
    program_parameters,
)
from thecal.domain.program_entry import BolusEntry, PatientBolusEntry, ProgramEntry
from thecal.domain.quantity_display import shown
from thecal.domain.tasks import TaskKind
from thecal.domain.users import Role
from thecal.entrypoints.web.interrogation_text import interrogation_text
from thecal.entrypoints.web.pump_glance_text import glance_text
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.admixture_changes import AwaitingRefill, list_awaiting_refill
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.identity import ReadMfaStatus, Reauthenticate
from thecal.services.program_changes import (
    CoSignProgramChange,
    GetProgramChange,
    ProposeProgramChange,
    SendProgramChange,
    SignProgramChange,
    WithdrawProgramChange,
    cosign_program_change,
    get_program_change,
    pending_program_changes,
    program_from_entry,
    program_is_current,
    propose_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)
from thecal.services.pump_reads import (
    GetPumpOverview,
    ListProgramChanges,
    get_pump_overview,
    list_program_changes,
)
from thecal.services.pump_record import Pump
from thecal.services.pump_reservoir import refill_plan, refill_plan_if_sent
from thecal.services.pumps import GetPump, get_pump
from thecal.services.syringe_labels import ListUnusedLabels, unused_labels
from thecal.services.tasks import ListTasks, list_tasks

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
SEVERITY_ORDER = (
    FindingSeverity.BLOCK,
    FindingSeverity.OVERRIDE,
    FindingSeverity.WARN,
    FindingSeverity.INFO,
)


#: Errors a clinician can correct on the same form: shown next to it, the input kept.
KEEPS_WORK: tuple[type[ThecalError], ...] = (
    InvalidInput,
    SafetyBlocked,
    Conflict,
    LoginFailed,
    OneTimeCodeRequired,
    ConfirmationRejected,
)


def _pump_page(
    request: Request,
    pump_id: str,
    *,
    interrogated: str = "",
    proposal: dict[str, str] | None = None,
    proposal_error: str = "",
    status_code: int = 200,
    **forms: Any,
) -> Response:
    """The pump page; ``forms`` carries another form's typed fields and refusal (the refill's,
    ``pages_refills``) so that form is shown again as it was sent. ``interrogated`` (the instant
    the interrogation's redirect named) shows the last interrogation's result from the record."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    seen = thecal.run(get_pump_overview, GetPumpOverview(actor=auth.actor, pump_id=pump_id))
    pump = seen.pump
    changes = (
        thecal.run(
            list_program_changes,
            ListProgramChanges(actor=auth.actor, pump_id=pump_id, limit=100),
        ).items
        if is_allowed(auth.actor, Action.PROGRAM_READ, Subject.patient(pump.patient_id))
        else None  # a pharmacist reads the pump, not its program changes
    )
    pending = None if changes is None else pending_program_changes(changes)
    interrogation = (
        interrogation_text(pump, list(changes or ()), asked=_instant(interrogated))
        if interrogated
        else None
    )
    mismatch = (
        [
            stored.task.reason
            for stored in thecal.run(list_tasks, ListTasks(actor=auth.actor, pump_id=pump_id))
            if stored.task.kind is TaskKind.PROGRAM_MISMATCH and stored.task.origin == pump.id
        ]
        if interrogation is not None
        and is_allowed(auth.actor, Action.TASK_READ, Subject.patient(pump.patient_id))
        else []
    )
    drug = reference_library().drug(pump.program.admixture.primary.drug_id)
    model = reference_library().pump(pump.model_id)
    clinician = auth.actor.role in {Role.PHYSICIAN, Role.NURSE}
    awaiting = (
        thecal_of(request).run(
            list_awaiting_refill, AwaitingRefill(actor=auth.actor, pump_id=pump_id)
        )
        if clinician
        else ()
    )
    labels = (
        thecal.run(unused_labels, ListUnusedLabels(actor=auth.actor, pump_id=pump_id))
        if clinician
        else ()
    )
    return render(
        request,
        "pump.html",
        status_code=status_code,
        pump=pump,
        awaiting_refill=awaiting,
        labels=labels,
        reservoir=seen.reservoir,
        glance=glance_text(seen),
        model=model,
        max_field_t=DEFAULT_MAX_FIELD_T,
        parameters=program_parameters(pump.program),
        interrogation=interrogation,
        program_mismatch=mismatch,
        pending=pending,
        dose_unit=drug.dose_unit.symbol,
        drug_name=drug.name,
        max_flex_steps=model.max_flex_steps,
        supports_weekly=bool(model.weekly_flex and model.weekly_flex.value),
        supports_periodic=bool(model.periodic_bolus and model.periodic_bolus.value),
        supports_single=bool(model.single_bolus and model.single_bolus.value),
        drugs=sorted(reference_library().drugs.values(), key=lambda d: d.id),
        proposal=proposal or {"idempotency_key": str(uuid.uuid4())},
        proposal_error=proposal_error,
        **forms,
    )


def pump_page_again(request: Request, pump_id: str, *, status_code: int, **forms: Any) -> Response:
    """The pump page with a refused form of another module shown again (``forms``)."""
    return _pump_page(request, pump_id, status_code=status_code, **forms)


def _instant(text: str) -> dt.datetime | None:
    """The interrogation's instant the redirect named (None when unreadable: show the last)."""
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.utcoffset() is not None else at.replace(tzinfo=dt.UTC)


@router.get("/pumps/{pump_id}", response_class=HTMLResponse)
def pump_page(
    request: Request,
    pump_id: Ident,
    interrogated: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _pump_page(request, pump_id, interrogated=interrogated)


@router.post("/pumps/{pump_id}/interrogate", response_class=HTMLResponse)
async def pump_interrogate(request: Request, pump_id: Ident) -> Response:
    """Interrogate, then redirect to the pump page showing the result (a reload repeats nothing)."""
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    result = thecal_of(request).run_device(
        interrogate_pump, InterrogatePump(actor=auth.actor, pump_id=pump_id)
    )
    reading = result.pump.reservoir_reading
    at = urlencode({"interrogated": reading.at.isoformat() if reading else "last"})
    return RedirectResponse(f"/pumps/{pump_id}?{at}#interrogation", status_code=303)


PROPOSAL_FIELDS = (
    "daily_dose",
    "steps",
    "periodic_dose",
    "periodic_duration",
    "periodic_every",
    "periodic_first_after",
    "single_dose",
    "single_duration",
    "patient_bolus",
    "bolus_dose",
    "bolus_duration",
    "bolus_lockout",
    "bolus_max_per_day",
    "low_reservoir_alarm",
    "rationale",
    "idempotency_key",
)


def program_entry_of(form: dict[str, str]) -> ProgramEntry:
    """The editor's fields: a daily dose, flex steps (one per line), a periodic or a single
    clinician bolus (given when any of its fields is filled in), the patient bolus (keep,
    off or set) and the low-reservoir alarm; every quantity as typed, with its unit."""
    choice = form.get("patient_bolus", "keep")
    if choice not in ("keep", "off", "set"):
        raise RequestInvalid(where="patient bolus", detail="choose keep, off or set")
    bolus = (
        PatientBolusEntry(
            dose=form.get("bolus_dose", ""),
            duration=form.get("bolus_duration", ""),
            lockout=form.get("bolus_lockout", ""),
            max_per_day=form.get("bolus_max_per_day", ""),
        )
        if choice == "set"
        else None
    )
    periodic = BolusEntry(
        dose=form.get("periodic_dose", ""),
        duration=form.get("periodic_duration", ""),
        every=form.get("periodic_every", ""),
        first_after=form.get("periodic_first_after", ""),
    )
    single = BolusEntry(dose=form.get("single_dose", ""), duration=form.get("single_duration", ""))
    return ProgramEntry(
        daily_dose=form.get("daily_dose", ""),
        steps=tuple(form.get("steps", "").splitlines()),
        periodic_bolus=periodic if any(f.strip() for f in dataclasses.astuple(periodic)) else None,
        single_bolus=single if any(f.strip() for f in dataclasses.astuple(single)) else None,
        patient_bolus=bolus,
        patient_bolus_off=choice == "off",
        low_reservoir_alarm=form.get("low_reservoir_alarm", ""),
    )


@router.post("/pumps/{pump_id}/program-changes", response_class=HTMLResponse)
async def propose(request: Request, pump_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    typed = {name: form.get(name, "") for name in PROPOSAL_FIELDS}
    try:
        new_program = program_from_entry(pump, program_entry_of(form))
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
    except KEEPS_WORK as error:
        return _pump_page(
            request,
            pump_id,
            proposal=typed,
            proposal_error=error.message,
            status_code=422,
        )
    # A resubmitted form (same key) lands on the change it proposed the first time.
    change_id = outcome.change.change_id
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


@router.post("/pumps/{pump_id}/program-changes/{change_id}/withdrawal", response_class=HTMLResponse)
async def withdraw(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        thecal_of(request).run(
            withdraw_program_change,
            WithdrawProgramChange(
                actor=auth.actor, change_id=change_id, reason=form.get("reason", "")
            ),
        )
    except KEEPS_WORK as error:
        return await _change_page(
            request,
            pump_id,
            change_id,
            error=error.message,
            error_form="withdraw",
            typed=dict(form),
            status_code=422,
        )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


_UNSENT = frozenset(
    {
        ProgramChangeState.PROPOSED,
        ProgramChangeState.REVIEWED,
        ProgramChangeState.BLOCKED,
        ProgramChangeState.SIGNED,
        ProgramChangeState.CO_SIGNED,
        ProgramChangeState.NOT_DELIVERED,
    }
)


def _refill_rows(pump: Pump, change: ProgramChange, now: dt.datetime) -> list[tuple[str, str, str]]:
    """The next refill date and the limit that binds, as the pump runs now and if the proposed
    program were sent now; only for a change not yet sent (then the pump's own date is the new
    one) and not for an admixture change (its refill starts a new fill)."""
    if change.state not in _UNSENT or change.transition is not None or pump.emptied:
        return []
    now_plan, new_plan = (
        refill_plan(pump),
        refill_plan_if_sent(pump, change.new_program, now),
    )

    def due(plan: RefillPlan) -> str:
        return f"{plan.due:%Y-%m-%d %H:%M} UTC"

    return [
        ("next refill due (if sent now)", due(now_plan), due(new_plan)),
        ("limit that binds", now_plan.binding.value, new_plan.binding.value),
    ]


def _summary_rows(change: ProgramChange) -> list[tuple[str, str, str]]:
    """What the program means, current and proposed: doses in the drug's unit, flow."""
    unit = reference_library().drug(change.old_program.admixture.primary.drug_id).dose_unit

    def side(p: InfusionProgram) -> tuple[str, ...]:
        return (
            shown(p.basal_daily_dose, mass=unit),
            shown(p.worst_case_daily_dose, mass=unit),
            shown(p.worst_day_dose, mass=unit),
            shown(p.max_step_rate, mass=unit),
            shown(p.basal_flow),
            shown(p.worst_case_flow),
        )

    labels = (
        "basal daily dose",
        "worst-case daily dose (every patient bolus taken)",
        "most in any 24 h (clinician boluses in full, every patient bolus taken)",
        "highest step rate",
        "basal flow",
        "worst-case flow",
    )
    return list(zip(labels, side(change.old_program), side(change.new_program), strict=True))


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


async def _change_page(
    request: Request,
    pump_id: str,
    change_id: str,
    *,
    error: str = "",
    error_form: str = "",
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The change's page; ``error`` is shown next to the field of ``error_form`` (sign, cosign,
    withdraw) when that form is still on the page, else at its top."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    change = thecal.run(get_program_change, GetProgramChange(actor=auth.actor, change_id=change_id))
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    if pump.patient_id != change.patient_id:
        raise NotFound(kind="program change", ident=f"{change_id} for pump {pump_id}")
    needs_code = thecal.run(thecal.identity.mfa_status, ReadMfaStatus(actor=auth.actor)).enrolled
    return render(
        request,
        "program_change.html",
        status_code=status_code,
        pump=pump,
        needs_code=needs_code,
        summary_rows=_summary_rows(change) + _refill_rows(pump, change, thecal.clock.now()),
        form_error=error,
        error_form=error_form,
        typed=typed or {},
        pump_moved=not program_is_current(pump, change),
        **_change_context(change),
    )


@router.get("/pumps/{pump_id}/program-changes/{change_id}", response_class=HTMLResponse)
async def change_page(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    return await _change_page(request, pump_id, change_id)


def _token(request: Request, auth: Any, form: dict[str, str], change_id: str) -> Any:
    """Re-authenticate on the diff the page showed: a token bound to that exact digest."""
    return thecal_of(request).run(
        thecal_of(request).identity.reauthenticate,
        Reauthenticate(
            actor=auth.actor,
            password=form.get("password", ""),
            one_time_code=form.get("one_time_code") or None,
            change_id=change_id,
            diff_digest=form.get("diff_digest", ""),
        ),
    )


def _typed(form: dict[str, str], acknowledged: list[str]) -> dict[str, Any]:
    """What the signer typed or ticked, shown again after an error (never the password)."""
    kept: dict[str, Any] = {k: v for k, v in form.items() if k not in ("password", "one_time_code")}
    kept["acknowledge"] = acknowledged
    return kept


@router.post("/pumps/{pump_id}/program-changes/{change_id}/sign", response_class=HTMLResponse)
async def sign(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    raw = await request.form()
    acknowledged = [w for w in raw.getlist("acknowledge") if isinstance(w, str)]
    try:
        token = _token(request, auth, form, change_id)
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
                acknowledged_warnings=frozenset(acknowledged),
            ),
        )
    except KEEPS_WORK as error:
        return await _change_page(
            request,
            pump_id,
            change_id,
            error=error.message,
            error_form="sign",
            typed=_typed(form, acknowledged),
            status_code=422,
        )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


@router.post("/pumps/{pump_id}/program-changes/{change_id}/cosign", response_class=HTMLResponse)
async def cosign(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        token = _token(request, auth, form, change_id)
        thecal.run(
            cosign_program_change,
            CoSignProgramChange(
                actor=auth.actor,
                change_id=change_id,
                token=token,
                policy=thecal.co_signing_policy,
            ),
        )
    except KEEPS_WORK as error:
        return await _change_page(
            request,
            pump_id,
            change_id,
            error=error.message,
            error_form="cosign",
            typed=_typed(form, []),
            status_code=422,
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
