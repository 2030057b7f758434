"""Refill and pharmacy pages: the pharmacist's verification of a dispensed admixture; the nurse's refill at the bedside (pharmacy-verified syringe, test injection with
aspiration, pocket-fill checklist) and its result: expected vs withdrawn residual, the
discrepancy and its possible causes, the findings by severity and the next refill date.

A refill answers with a redirect to its own page (post/redirect/get, issue 13 §5): a reload
reads the stored refill again and never refills twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RequestInvalid,
    SafetyBlocked,
    ThecalError,
)
from thecal.domain.forecast import RefillPlan
from thecal.domain.quantity_text import parse_volume
from thecal.domain.refill import (
    AboveReservoirCapacity,
    AdmixtureMismatch,
    BedsideReadings,
    BeyondUseDatePassed,
    PocketFillChecklist,
    Reconciliation,
    Refill,
    RefillState,
)
from thecal.domain.units import Volume
from thecal.domain.verification_code import VerificationCodeInvalid
from thecal.entrypoints.api.csrf import CSRF_FIELD
from thecal.entrypoints.web.form_fields import SEVERITY_ORDER, FieldRefused, FormRefusal, at_field
from thecal.entrypoints.web.pages_pumps import pump_page_again
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.pump_reads import (
    MAX_PAGE,
    GetPumpOverview,
    ListRefills,
    get_pump_overview,
    list_refills,
)
from thecal.services.pumps import GetPump, get_pump
from thecal.services.refills import PerformRefill, perform_refill
from thecal.services.repositories.pharmacy import VerificationAlreadyUsed, VerificationNotFound

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _ml(form: dict[str, str], field: str) -> Volume:
    """A volume typed in mL, read by the API's strict quantity parser (issue 15 §5): ``.5``,
    ``5.``, ``1e1`` or ``1E+999999999`` are refused with their THC-QTY code, never a 500."""
    text = form.get(field, "").strip()
    if not text:
        raise RequestInvalid(where=field, detail="enter a volume in mL, e.g. 20")
    return parse_volume(f"{text} mL")


#: Refusals of the syringe at hand or of the form that the nurse corrects on the same form (shown
#: again with what was typed, the message next to its field). A version conflict is not one: the
#: pump changed meanwhile (another refill or program change), and the page says to start again.
_KEPT = (
    FieldRefused,
    InvalidInput,
    VerificationNotFound,
    VerificationAlreadyUsed,
    AdmixtureMismatch,
    BeyondUseDatePassed,
    SafetyBlocked,
)
_REFILL_FIELDS = (
    "verification_id",
    "lot_at_bedside",
    "ordered_volume_ml",
    "test_volume_ml",
    "withdrawn_ml",
    "injected_ml",
)
#: a reading above the reservoir's capacity, by the field it was typed in
_READING_FIELDS = {
    "withdrawn volume as read": "withdrawn_ml",
    "injected volume as read": "injected_ml",
}


def _read_ml(form: dict[str, str], field: str) -> Volume | None:
    """A volume the nurse read, typed in mL (empty: not read)."""
    return _ml(form, field) if form.get(field, "").strip() else None


def _refill_refusal(error: Exception) -> FormRefusal:
    if isinstance(error, FieldRefused):
        return FormRefusal.of(error)
    assert isinstance(error, ThecalError)  # noqa: S101 - the handler catches only _KEPT
    field = ""
    if isinstance(error, VerificationNotFound | VerificationAlreadyUsed | VerificationCodeInvalid):
        field = "verification_id"
    elif isinstance(error, AdmixtureMismatch) and error.fields.get("what") == "lot at the bedside":
        field = "lot_at_bedside"
    elif isinstance(error, AboveReservoirCapacity):
        field = _READING_FIELDS.get(str(error.fields.get("what")), "")
    return FormRefusal(message=error.message, code=error.code, field=field)


@router.post("/pumps/{pump_id}/refills", response_class=HTMLResponse)
async def refill(request: Request, pump_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    version = form.get("pump_version", "")
    if not version.isdigit():
        raise RequestInvalid(where="pump_version", detail="reload the pump page and try again")
    thecal = thecal_of(request)
    try:
        outcome = thecal.run_device(
            perform_refill,
            PerformRefill(
                actor=auth.actor,
                pump_id=pump_id,
                idempotency_key=form.get("idempotency_key") or str(uuid.uuid4()),
                expected_pump_version=int(version),
                verification_id=form.get("verification_id", "").strip(),
                ordered_volume=at_field(
                    "ordered_volume_ml", lambda: _ml(form, "ordered_volume_ml")
                ),
                lot_at_bedside=form.get("lot_at_bedside", "").strip(),
                test_volume=at_field("test_volume_ml", lambda: _ml(form, "test_volume_ml")),
                aspiration_returned=form.get("aspiration_returned") == "yes",
                checklist=PocketFillChecklist(
                    needle_placement_confirmed=form.get("needle_placement_confirmed") == "yes",
                    aspiration_positive=form.get("aspiration_positive") == "yes",
                    no_pocket_swelling_or_pain=form.get("no_pocket_swelling_or_pain") == "yes",
                    observed_for_overdose_symptoms=form.get("observed_for_overdose_symptoms")
                    == "yes",
                ),
                readings=BedsideReadings(
                    withdrawn=at_field("withdrawn_ml", lambda: _ml(form, "withdrawn_ml")),
                    injected=at_field("injected_ml", lambda: _read_ml(form, "injected_ml")),
                ),
            ),
        )
    except _KEPT as refused:  # nothing was done: every check runs before the pump is touched
        return pump_page_again(
            request,
            pump_id,
            status_code=409 if isinstance(refused, Conflict) else 422,
            refill_form={k: v for k, v in form.items() if k != CSRF_FIELD},
            refill_refusal=_refill_refusal(refused),
        )
    # post/redirect/get: the result page reads the stored refill, so a reload refills nothing
    return RedirectResponse(f"/pumps/{pump_id}/refills/{outcome.refill.refill_id}", status_code=303)


@dataclass(frozen=True, slots=True)
class _Shown:
    """A stored refill as its result page shows it (refill_result.html's ``outcome``)."""

    refill: Refill
    reconciliation: Reconciliation | None
    plan: RefillPlan | None  # the next refill date, shown for the pump's latest refill only


@router.get("/pumps/{pump_id}/refills/{refill_id}", response_class=HTMLResponse)
def refill_page(request: Request, pump_id: Ident, refill_id: Ident) -> Response:
    """A refill's result: its times, expected vs withdrawn, the findings and, for the pump's
    latest completed refill, the next refill date by the record now."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    refills = thecal.run(
        list_refills, ListRefills(actor=auth.actor, pump_id=pump_id, limit=MAX_PAGE)
    ).items
    record = next((r for r in refills if r.refill.refill_id == refill_id), None)
    if record is None:
        raise NotFound(kind="refill", ident=f"{refill_id} of pump {pump.serial}")
    plan = None
    if record is refills[0] and record.refill.state is RefillState.COMPLETED:
        overview = thecal.run(get_pump_overview, GetPumpOverview(actor=auth.actor, pump_id=pump_id))
        plan = overview.plan
    refill = record.refill
    findings = sorted(record.findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
    return render(
        request,
        "refill_result.html",
        pump=pump,
        outcome=_Shown(refill=refill, reconciliation=refill.reconciliation, plan=plan),
        findings=findings,
    )
