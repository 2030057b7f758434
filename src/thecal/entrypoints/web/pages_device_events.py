"""The events of a pump's life on the web (issue 12 §3): ``/pumps/{id}/events`` lists them and
holds the forms — replace the pump, revise the catheter, end the therapy or explant, suspend and
restart delivery, transfer care.

Every form carries the pump version the page showed and is one use case; a refusal the clinician
must act on (the new model cannot carry the therapy, a withdrawal plan is missing, no CSF through
the access port, a restart needing a justification or blocked as a new start …) is shown on the
page with its code and numbers, and nothing was changed. Quantities are typed with their unit
("20 mL", "0.5 mg/day") and read by the strict parser.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.authorization import Action
from thecal.domain.catheter_revision import CapCheck, has_catheter_access_port
from thecal.domain.device_event_record import (
    CatheterNotPatent,
    DeliveryAlreadySuspended,
    DeliveryNotSuspended,
    DeviceEventRecord,
    PumpOutOfCare,
    RestartAwaitingSignatures,
    RestartOverrideMissing,
    SamePumpSerial,
)
from thecal.domain.errors import InvalidInput, RequestInvalid
from thecal.domain.interruption import InterruptionReason
from thecal.domain.library import reference_library
from thecal.domain.program import ProgramMode
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.pump_replacement import ReplacementReason, TherapyNotCarriedOver
from thecal.domain.quantity_text import parse_dose_rate, parse_volume
from thecal.domain.safety.context import MonitoringPlan
from thecal.domain.therapy_discontinuation import (
    DiscontinuationKind,
    WithdrawalPlan,
    WithdrawalPlanRequired,
    drugs_needing_a_plan,
)
from thecal.domain.units import Duration
from thecal.entrypoints.api.csrf import CSRF_FIELD
from thecal.entrypoints.web.form_fields import (
    FieldRefused,
    FormRefusal,
    at_field,
    choice,
    decimal_number,
    optional_whole,
)
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.care_transfers import TransferCare, TransferDirection, transfer_care
from thecal.services.catheter_revisions import ReviseCatheter, revise_catheter
from thecal.services.device_event_records import GetDeviceEvents, list_device_events
from thecal.services.identity import Authenticated
from thecal.services.interruptions import (
    GetPendingRestart,
    RestartDelivery,
    SuspendDelivery,
    pending_restart,
    restart_delivery,
    suspend_delivery,
)
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.pumps import OpenPumpForm, open_pump_form
from thecal.services.safety_gate import ReviewBlocked
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
_Build = Callable[[Authenticated, dict[str, str]], DeviceEventRecord]
_REFUSALS = (
    TherapyNotCarriedOver,
    WithdrawalPlanRequired,
    CatheterNotPatent,
    DeliveryAlreadySuspended,
    DeliveryNotSuspended,
    PumpOutOfCare,
    RestartAwaitingSignatures,
    RestartOverrideMissing,
    SamePumpSerial,
    ReviewBlocked,
)


#: What a pending restart change waits for, by its state (the restart form is hidden meanwhile).
_WAITS_FOR = {
    ProgramChangeState.REVIEWED: "signature",
    ProgramChangeState.SIGNED: "co-signature",
    ProgramChangeState.CO_SIGNED: "sending to the pump",
    ProgramChangeState.NOT_DELIVERED: "sending to the pump again",
    ProgramChangeState.SENT: "an interrogation to confirm it",
}


def _events_page(
    request: Request,
    pump_id: str,
    *,
    refusal: FormRefusal | None = None,
    open_form: str = "",
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The events page; after a refusal, the form ``open_form`` again with what was ``typed`` and
    the message next to its field (or at the page's top when no one field is at fault)."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    pump = thecal.run(
        open_pump_form,
        OpenPumpForm(actor=auth.actor, pump_id=pump_id, action=Action.DEVICE_EVENT_READ),
    )
    events = thecal.run(list_device_events, GetDeviceEvents(actor=auth.actor, pump_id=pump_id))
    suspended = pump.program.mode is ProgramMode.STOPPED
    restart = (
        thecal.run(pending_restart, GetPendingRestart(actor=auth.actor, pump_id=pump_id))
        if suspended
        else None
    )
    library = reference_library()
    model = library.pump(pump.model_id)
    drugs = [library.drug(drug_id) for drug_id in pump.admixture.drug_ids]
    return render(
        request,
        "device_events.html",
        status_code=status_code,
        pump=pump,
        model=model,
        events=events,
        refusal=refusal,
        open_form=open_form,
        typed=typed or {},
        suspended=suspended,
        pending_restart=restart,
        restart_waits_for=_WAITS_FOR.get(restart.state, "") if restart else "",
        risky=drugs_needing_a_plan(drugs),
        drugs=drugs,
        has_cap=has_catheter_access_port(model),
        pumps=[p for p in library.pumps.values() if p.id != pump.model_id],
        catheters=list(library.catheters.values()),
        reasons=list(ReplacementReason),
        interruption_reasons=list(InterruptionReason),
        cap_checks=list(CapCheck),
        is_physician=auth.actor.role.value == "physician",
        dose_unit=library.drug(pump.admixture.primary.drug_id).dose_unit.symbol,
    )


@router.get("/pumps/{pump_id}/events", response_class=HTMLResponse)
def events_page(request: Request, pump_id: Ident) -> Response:
    return _events_page(request, pump_id)


def _version(form: dict[str, str]) -> int:
    text = form.get("pump_version", "").strip()
    if not text.isdigit():
        raise RequestInvalid(where="pump_version", detail="reload the page and try again")
    return int(text)


#: A service's refusal of one field, by the ``where`` it names, per form: the field's input id.
_WHERE = {
    "discontinuation": {"reason": "end_reason"},
    "transfer": {"clinic": "clinic"},
    "restart": {"restart daily dose": "restart_dose"},
    "catheter-revision": {
        "implanted catheter length": "length_cm",
        "catheter access port check": "cap_check",
        "spinal level": "tip_level",
    },
    "replacement": {"pump serial": "new_serial"},
}


def _refusal(error: Exception, form_name: str) -> FormRefusal:
    if isinstance(error, FieldRefused):
        return FormRefusal.of(error)
    assert isinstance(error, InvalidInput)  # noqa: S101 - _run catches only these
    where = str(error.fields.get("where") or error.fields.get("name") or "")
    field = _WHERE.get(form_name, {}).get(where, "")
    return FormRefusal(message=error.message, code=error.code, field=field)


async def _run(request: Request, pump_id: str, form_name: str, build: _Build) -> Response:
    """Run the form's use case. A refusal the clinician must act on is shown on the events page
    (409); a field that cannot be read comes back with the form as typed and the message next to
    it (422). Either way nothing was changed."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    typed = {k: v for k, v in form.items() if k != CSRF_FIELD}  # never the session token
    try:
        event = build(auth, form)
    except _REFUSALS as refused:
        return _events_page(
            request,
            pump_id,
            refusal=FormRefusal(message=refused.message, code=refused.code),
            open_form=form_name,
            typed=typed,
            status_code=409,
        )
    except (FieldRefused, InvalidInput) as refused:
        return _events_page(
            request,
            pump_id,
            refusal=_refusal(refused, form_name),
            open_form=form_name,
            typed=typed,
            status_code=422,
        )
    change_id = event.facts.get("program_change_id")
    if change_id:  # a restart as a new start: to be signed and co-signed before it is sent
        return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)
    target = event.related_pump_id or pump_id
    return RedirectResponse(f"/pumps/{target}/events#event-{event.event_id}", status_code=303)


@router.post("/pumps/{pump_id}/events/replacement", response_class=HTMLResponse)
async def replacement(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        return thecal_of(request).run_device(
            replace_pump,
            ReplacePump(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                reason=at_field(
                    "replace_reason", partial(choice, form, "reason", "reason", ReplacementReason)
                ),
                new_pump_model_id=form.get("new_model", "").strip(),
                new_pump_serial=form.get("new_serial", "").strip(),
                fill_volume=at_field(
                    "fill_volume", lambda: parse_volume(form.get("fill_volume", ""))
                ),
                event_id=None,
            ),
        )

    return await _run(request, pump_id, "replacement", build)


@router.post("/pumps/{pump_id}/events/catheter-revision", response_class=HTMLResponse)
async def catheter_revision(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        cap = form.get("cap_check", "").strip()
        return thecal_of(request).run_device(
            revise_catheter,
            ReviseCatheter(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                catheter_model_id=form.get("catheter", "").strip(),
                implanted_length_cm=at_field(
                    "length_cm",
                    partial(decimal_number, form, "length_cm", "implanted length (cm)"),
                ),
                tip_level=form.get("tip_level", "").strip(),
                cap_check=at_field(
                    "cap_check",
                    partial(choice, form, "cap_check", "catheter access port", CapCheck),
                )
                if cap
                else None,
            ),
        )

    return await _run(request, pump_id, "catheter-revision", build)


@router.post("/pumps/{pump_id}/events/discontinuation", response_class=HTMLResponse)
async def discontinuation(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        plan_text = form.get("plan", "").strip()
        covered = tuple(
            key.removeprefix("plan_drug_") for key in form if key.startswith("plan_drug_")
        )
        plan = WithdrawalPlan(drug_ids=covered, text=plan_text) if plan_text and covered else None
        return thecal_of(request).run_device(
            discontinue_therapy,
            DiscontinueTherapy(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                kind=choice(form, "kind", "what ends", DiscontinuationKind),
                reason=form.get("reason", ""),
                withdrawal_plan=plan,
            ),
        )

    return await _run(request, pump_id, "discontinuation", build)


@router.post("/pumps/{pump_id}/events/interruption", response_class=HTMLResponse)
async def interruption(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        return thecal_of(request).run_device(
            suspend_delivery,
            SuspendDelivery(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                reason=at_field(
                    "suspend_reason",
                    partial(choice, form, "reason", "reason", InterruptionReason),
                ),
                note=form.get("note", ""),
            ),
        )

    return await _run(request, pump_id, "interruption", build)


@router.post("/pumps/{pump_id}/events/restart", response_class=HTMLResponse)
async def restart(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        dose = form.get("daily_dose", "").strip()
        hours = at_field(
            "monitoring_hours",
            partial(optional_whole, form, "monitoring_hours", "respiratory monitoring (hours)"),
        )
        naloxone = form.get("naloxone") == "yes"
        monitoring = (
            MonitoringPlan(
                respiratory=None if hours is None else Duration.hours(hours),
                naloxone_available=naloxone,
            )
            if hours is not None or naloxone
            else None
        )
        return thecal_of(request).run_device(
            restart_delivery,
            RestartDelivery(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                daily_dose=at_field("restart_dose", partial(parse_dose_rate, dose))
                if dose
                else None,
                justification=form.get("justification", "").strip() or None,
                monitoring=monitoring,
            ),
        )

    return await _run(request, pump_id, "restart", build)


@router.post("/pumps/{pump_id}/events/transfer", response_class=HTMLResponse)
async def transfer(request: Request, pump_id: Ident) -> Response:
    def build(auth: Authenticated, form: dict[str, str]) -> DeviceEventRecord:
        return thecal_of(request).run(
            transfer_care,
            TransferCare(
                actor=auth.actor,
                pump_id=pump_id,
                expected_pump_version=_version(form),
                direction=at_field(
                    "direction",
                    partial(choice, form, "direction", "direction", TransferDirection),
                ),
                clinic=form.get("clinic", ""),
                note=form.get("note", ""),
            ),
        )

    return await _run(request, pump_id, "transfer", build)
