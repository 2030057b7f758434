"""Admixture-change pages (issue 12 §2): propose a new concentration, drug or adjuvant with or
without a bridge bolus; the pharmacist verifies the new admixture; the nurse's refill that injects
it and sends its program.

Errors keep the work (issue 13 §5): a refused form comes back with what was typed and the message
next to it (status 422 or 409), nothing changed; a success answers with a redirect (post/redirect/
get), so a reload repeats nothing. Signing and co-signing are the program-change page's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.admixture import Admixture, Component
from thecal.domain.errors import Conflict, InvalidInput, SafetyBlocked, ThecalError
from thecal.domain.library import reference_library
from thecal.domain.program_change import ProgramChange, ProgramChangeBlocked
from thecal.domain.quantity_text import parse_concentration, parse_dose_rate, parse_volume
from thecal.domain.refill import BedsideReadings, PharmacyLabel, PocketFillChecklist
from thecal.entrypoints.api.presenters.syringe_label import syringe_label_response
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.admixture_changes import (
    ProposeAdmixtureChange,
    new_admixture_program,
    propose_admixture_change,
)
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.program_changes import GetProgramChange, get_program_change
from thecal.services.pumps import GetPump, get_pump
from thecal.services.refills import PerformRefill, perform_refill
from thecal.services.syringe_labels import (
    GetSyringeLabel,
    ListUnusedLabels,
    get_syringe_label,
    unused_labels,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
#: The errors a clinician can fix on the form (bad input, a refusal, a conflict): shown on it.
_KEPT = (InvalidInput, Conflict, SafetyBlocked, ProgramChangeBlocked)
_ADJUVANTS = 2


def _status(error: ThecalError) -> int:
    return 409 if isinstance(error, Conflict) else 422


def _error_text(error: ThecalError) -> str:
    return f"{error.code}: {error.message}"


def _admixture(form: dict[str, str]) -> Admixture:
    """The primary drug and up to two adjuvants, each concentration by the strict parser."""
    components = [
        Component(
            drug_id=form.get("drug", "").strip(),
            concentration=parse_concentration(form.get("concentration", "")),
        )
    ]
    for n in range(1, _ADJUVANTS + 1):
        drug = form.get(f"adjuvant_{n}", "").strip()
        if drug:
            components.append(
                Component(
                    drug_id=drug,
                    concentration=parse_concentration(form.get(f"adjuvant_{n}_concentration", "")),
                )
            )
    return Admixture(components=tuple(components))


def _new_page(
    request: Request, pump_id: str, form: dict[str, str], error: str | None, status: int = 200
) -> Response:
    auth = page_auth(request)
    pump = thecal_of(request).run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    drugs = sorted(reference_library().drugs.values(), key=lambda d: d.id)
    return render(
        request,
        "admixture_change_new.html",
        status_code=status,
        pump=pump,
        drugs=drugs,
        form=form,
        error=error,
        adjuvants=range(1, _ADJUVANTS + 1),
    )


@router.get("/pumps/{pump_id}/admixture-changes/new", response_class=HTMLResponse)
def new_change(request: Request, pump_id: Ident) -> Response:
    return _new_page(request, pump_id, {"bridge": "yes", "key": str(uuid.uuid4())}, None)


@router.post("/pumps/{pump_id}/admixture-changes", response_class=HTMLResponse)
async def propose(request: Request, pump_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
        program = new_admixture_program(
            pump.program, _admixture(form), parse_dose_rate(form.get("daily_dose", ""))
        )
        outcome = thecal.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=auth.actor,
                pump_id=pump_id,
                new_program=program,
                bridge=form.get("bridge") == "yes",
                idempotency_key=form.get("key") or str(uuid.uuid4()),
                rationale=form.get("rationale", ""),
            ),
        )
    except _KEPT as refused:
        return _new_page(request, pump_id, form, _error_text(refused), _status(refused))
    return RedirectResponse(
        f"/pumps/{pump_id}/program-changes/{outcome.change.change_id}", status_code=303
    )


def _change_of(request: Request, pump_id: str, change_id: str) -> tuple[Any, ProgramChange]:
    auth = page_auth(request)
    thecal = thecal_of(request)
    pump = thecal.run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    change = thecal.run(get_program_change, GetProgramChange(actor=auth.actor, change_id=change_id))
    return pump, change


def _refill_page(
    request: Request,
    pump_id: str,
    change_id: str,
    form: dict[str, str],
    *,
    error: str | None,
    status: int = 200,
) -> Response:
    pump, change = _change_of(request, pump_id, change_id)
    labels = thecal_of(request).run(
        unused_labels, ListUnusedLabels(actor=page_auth(request).actor, pump_id=pump_id)
    )
    return render(
        request,
        "admixture_refill.html",
        status_code=status,
        pump=pump,
        change=change,
        labels=labels,
        form=form,
        error=error,
    )


@router.get("/pumps/{pump_id}/admixture-changes/{change_id}/refill", response_class=HTMLResponse)
def refill_form(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    return _refill_page(
        request,
        pump_id,
        change_id,
        {"test_volume": "5 mL", "key": str(uuid.uuid4())},
        error=None,
    )


@router.post("/pumps/{pump_id}/admixture-changes/{change_id}/refill", response_class=HTMLResponse)
async def refill(request: Request, pump_id: Ident, change_id: Ident) -> Response:
    """The refill that injects the new admixture and sends the change's program (and bridge)."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        version = form.get("pump_version", "")
        if not version.isdigit():
            raise InvalidInput(detail="reload the page: the pump's version is missing")
        thecal.run_device(
            perform_refill,
            PerformRefill(
                actor=auth.actor,
                pump_id=pump_id,
                idempotency_key=form.get("key") or str(uuid.uuid4()),
                expected_pump_version=int(version),
                verification_id=form.get("verification_id", "").strip(),
                ordered_volume=parse_volume(form.get("ordered_volume", "")),
                lot_at_bedside=form.get("lot_at_bedside", "").strip(),
                test_volume=parse_volume(form.get("test_volume", "")),
                aspiration_returned=form.get("aspiration_returned") == "yes",
                checklist=PocketFillChecklist(
                    needle_placement_confirmed=form.get("needle_placement_confirmed") == "yes",
                    aspiration_positive=form.get("aspiration_positive") == "yes",
                    no_pocket_swelling_or_pain=form.get("no_pocket_swelling_or_pain") == "yes",
                    observed_for_overdose_symptoms=form.get("observed_for_overdose_symptoms")
                    == "yes",
                ),
                program_change_id=change_id,
                readings=BedsideReadings(
                    withdrawn=parse_volume(form.get("withdrawn", "")),
                    injected=parse_volume(form["injected"])
                    if form.get("injected", "").strip()
                    else None,
                ),
            ),
        )
    except _KEPT as refused:
        return _refill_page(
            request,
            pump_id,
            change_id,
            form,
            error=_error_text(refused),
            status=_status(refused),
        )
    return RedirectResponse(f"/pumps/{pump_id}/program-changes/{change_id}", status_code=303)


def _verify_page(
    request: Request, pump_id: str, form: dict[str, str], error: str | None, status: int = 200
) -> Response:
    auth = page_auth(request)
    pump = thecal_of(request).run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    drugs = sorted(reference_library().drugs.values(), key=lambda d: d.id)
    return render(
        request,
        "admixture_verify.html",
        status_code=status,
        pump=pump,
        drugs=drugs,
        form=form,
        error=error,
        adjuvants=range(1, _ADJUVANTS + 1),
    )


@router.get("/pumps/{pump_id}/admixture-verifications/new", response_class=HTMLResponse)
def verify_form(request: Request, pump_id: Ident) -> Response:
    return _verify_page(request, pump_id, {}, None)


@router.post("/pumps/{pump_id}/pharmacy-verifications", response_class=HTMLResponse)
@router.post("/pumps/{pump_id}/admixture-verifications", response_class=HTMLResponse)
async def verify(request: Request, pump_id: Ident) -> Response:
    """The pharmacist types the label: drug(s), concentration(s), volume, lot, beyond-use date.
    It must match the pump's program or a co-signed admixture change of this pump; a label that
    differs is refused (422 THC-PATH-025, the field named) and the form shown again as typed.
    Both the pump page's routine verification and the admixture-change page post here."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        try:
            beyond_use = dt.datetime.fromisoformat(form.get("beyond_use", "").strip())
        except ValueError:
            raise InvalidInput(
                detail="beyond-use date: enter the date and time from the label"
            ) from None
        verification = thecal.run(
            verify_admixture,
            VerifyAdmixture(
                actor=auth.actor,
                pump_id=pump_id,
                label=PharmacyLabel(
                    admixture=_admixture(form),
                    volume=parse_volume(form.get("volume", "")),
                    lot=form.get("lot", ""),
                    beyond_use=beyond_use
                    if beyond_use.tzinfo is not None
                    else beyond_use.replace(tzinfo=dt.UTC),
                ),
            ),
        )
    except _KEPT as refused:
        return _verify_page(request, pump_id, form, _error_text(refused), _status(refused))
    return RedirectResponse(
        f"/pumps/{pump_id}/admixture-verifications/{verification.id}", status_code=303
    )


@router.get(
    "/pumps/{pump_id}/admixture-verifications/{verification_id}", response_class=HTMLResponse
)
def verified(request: Request, pump_id: Ident, verification_id: Ident) -> Response:
    """The verification number to write on the syringe (the pharmacist who made it)."""
    auth = page_auth(request)
    pump = thecal_of(request).run(get_pump, GetPump(actor=auth.actor, pump_id=pump_id))
    return render(request, "admixture_verified.html", pump=pump, verification_id=verification_id)


@router.get("/pumps/{pump_id}/pharmacy-verifications/{code}/label.pdf")
def syringe_label(request: Request, pump_id: Ident, code: Ident) -> Response:
    """The printable syringe label (PDF, 100 × 60 mm) with the code as text and QR code: the
    pharmacist, or a nurse or physician of the patient. An unknown code is 404 THC-PHARM-001."""
    auth = page_auth(request)
    found = thecal_of(request).run(
        get_syringe_label, GetSyringeLabel(actor=auth.actor, code=code, pump_id=pump_id)
    )
    return syringe_label_response(found)
