"""Implant page: the physician records a pump implant — pump model and serial, catheter model,
implanted length and tip level, the initial fill (drug and concentration) and volume, the initial
program (daily dose, optional patient bolus) — and the pump is brought up through the driver
(``services/pumps.implant_pump``). The result shows the priming bolus, the pump's acknowledgement
of the program and the monitoring task, and links to the pump page.

A refused implant (a text that is not a quantity, an incomplete patient bolus, a serial already
recorded, a program the pump cannot run) shows the form again with everything typed and the
message next to its field (issue 13 §5); nothing is recorded and the driver is not called.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from thecal.domain.admixture import Admixture
from thecal.domain.authorization import Action
from thecal.domain.errors import (
    DosingError,
    InvalidInput,
    RequestInvalid,
    ThecalError,
    UnknownReference,
)
from thecal.domain.implant import ImplantInvalid
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.entrypoints.api.csrf import CSRF_FIELD
from thecal.entrypoints.web.form_fields import (
    FieldRefused,
    FormRefusal,
    at_field,
    decimal_number,
    whole,
)
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.patients import OpenPatientForm, open_patient_form
from thecal.services.pumps import ImplantPump, PumpSerialInUse, implant_pump

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PatientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
#: Refusals the physician corrects on the same form (kept, with the message next to the field).
_KEPT = (FieldRefused, InvalidInput, ImplantInvalid, PumpSerialInUse, DosingError, UnknownReference)
_BOLUS_FIELDS = {
    "bolus_dose": "patient bolus dose",
    "bolus_duration": "patient bolus duration",
    "bolus_lockout": "patient bolus lockout",
    "bolus_max_per_day": "patient boluses per day",
}


def _patient_bolus(form: dict[str, str]) -> PatientBolusSettings | None:
    """All four patient-bolus fields, or none of them (no bolus button)."""
    given = {name for name in _BOLUS_FIELDS if form.get(name, "").strip()}
    if not given:
        return None
    if given != set(_BOLUS_FIELDS):
        missing = ", ".join(label for name, label in _BOLUS_FIELDS.items() if name not in given)
        first = next(name for name in _BOLUS_FIELDS if name not in given)
        raise FieldRefused(
            first,
            RequestInvalid(
                where="patient bolus",
                detail=f"fill in all four settings or none; missing: {missing}",
            ),
        )
    return PatientBolusSettings(
        dose=at_field("bolus_dose", lambda: parse_mass(form["bolus_dose"])),
        duration=at_field("bolus_duration", lambda: parse_duration(form["bolus_duration"])),
        lockout=at_field("bolus_lockout", lambda: parse_duration(form["bolus_lockout"])),
        max_per_day=at_field(
            "bolus_max_per_day", lambda: whole(form, "bolus_max_per_day", "patient boluses per day")
        ),
    )


def _form_page(
    request: Request,
    patient_id: str,
    *,
    typed: dict[str, str] | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    """The implant form: empty, or again with what was typed and why it was refused (422)."""
    auth = page_auth(request)
    patient = thecal_of(request).run(
        open_patient_form,
        OpenPatientForm(actor=auth.actor, patient_id=patient_id, action=Action.PUMP_IMPLANT),
    )
    library = reference_library()
    return render(
        request,
        "implant_new.html",
        status_code=200 if refusal is None else 422,
        patient=patient,
        pumps=list(library.pumps.values()),
        catheters=list(library.catheters.values()),
        drugs=list(library.drugs.values()),
        form=typed or {},
        refusal=refusal,
    )


@router.get("/patients/{patient_id}/implants/new", response_class=HTMLResponse)
def implant_new(request: Request, patient_id: PatientId) -> Response:
    return _form_page(request, patient_id)


#: The service's refusals that belong to one field of the form.
_FIELD_OF = {PumpSerialInUse: "serial", DosingError: "daily_dose"}


def _refusal(error: Exception) -> FormRefusal:
    if isinstance(error, FieldRefused):
        return FormRefusal.of(error)
    assert isinstance(error, ThecalError)  # noqa: S101 - the handler catches only _KEPT
    field = next((f for kind, f in _FIELD_OF.items() if isinstance(error, kind)), "")
    return FormRefusal(message=error.message, code=error.code, field=field)


@router.post("/patients/{patient_id}/implants", response_class=HTMLResponse)
async def implant_create(request: Request, patient_id: PatientId) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        admixture = Admixture.single(
            form.get("drug", "").strip(),
            at_field("concentration", lambda: parse_concentration(form.get("concentration", ""))),
        )
        result = thecal.run_device(
            implant_pump,
            ImplantPump(
                actor=auth.actor,
                patient_id=patient_id,
                pump_model_id=form.get("pump_model", "").strip(),
                pump_serial=form.get("serial", "").strip(),
                catheter_model_id=form.get("catheter_model", "").strip(),
                catheter_length_cm=at_field(
                    "catheter_length_cm",
                    lambda: decimal_number(form, "catheter_length_cm", "catheter length (cm)"),
                ),
                catheter_tip_level=form.get("tip_level", "").strip(),
                initial_fill=admixture,
                fill_volume=at_field(
                    "fill_volume", lambda: parse_volume(form.get("fill_volume", ""))
                ),
                initial_program=InfusionProgram.continuous(
                    admixture,
                    at_field("daily_dose", lambda: parse_dose_rate(form.get("daily_dose", ""))),
                    patient_bolus=_patient_bolus(form),
                ),
            ),
        )
    except _KEPT as refused:
        typed = {k: v for k, v in form.items() if k != CSRF_FIELD}  # never the session token
        return _form_page(request, patient_id, typed=typed, refusal=_refusal(refused))
    return render(request, "implant_result.html", result=result, patient_id=patient_id)
