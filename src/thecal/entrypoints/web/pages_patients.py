"""Patient pages: search, register, the patient's timeline (with links to the trial, implant and
MRI pages) and candidacy. The patient portal is in :mod:`.pages_portal`."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from thecal.domain.authorization import Action, Subject, is_allowed
from thecal.domain.candidacy import (
    Contraindication,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
)
from thecal.domain.date_plausibility import BIRTH_DATE, check_date
from thecal.domain.errors import InvalidInput, RequestInvalid, UnknownReference
from thecal.domain.patient import Contact, DuplicateMrn, Sex
from thecal.domain.quantity_text import parse_dose_rate
from thecal.domain.units import plain
from thecal.entrypoints.api.presenters.candidacy import candidacy_details, candidacy_public
from thecal.entrypoints.api.schemas.candidacy import CandidacyCreate
from thecal.entrypoints.web.charts import dose_charts, pain_chart
from thecal.entrypoints.web.form_fields import FieldRefused, FormRefusal, at_field
from thecal.entrypoints.web.pump_glance_text import glance_text
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.entrypoints.web.timeline import patient_timeline
from thecal.services.candidacy import GetCandidacy, RecordCandidacy, get_candidacy, record_candidacy
from thecal.services.care_teams import FindOutsideTeams, find_outside_teams
from thecal.services.patients import (
    GetPatient,
    RegisterPatient,
    SearchPatients,
    get_patient,
    register_patient,
    search_patients,
)
from thecal.services.pump_reads import GetPumpOverview, get_pump_overview
from thecal.services.pump_record import PumpState
from thecal.services.repositories.patients import PatientQuery
from thecal.services.therapy_history import GetTherapyHistory, get_therapy_history
from thecal.services.trial_history import GetTrialHistory, get_trial_history

__all__ = ["router"]

_PATIENTS = Subject.collection("patients")

router = APIRouter(include_in_schema=False)

PatientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _date(text: str, field: str, *, now: dt.datetime | None = None) -> dt.date | None:
    """A birth date; searched for (``now`` given), one a patient may be born on (issue 15 §5).
    A registration's is checked by the use case (a future one named as such)."""
    if not text.strip():
        return None
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise RequestInvalid(where=field, detail=f"{text!r} is not a date (YYYY-MM-DD)") from None
    if now is None:
        return value
    return check_date(field, value, BIRTH_DATE, today=now.astimezone(dt.UTC).date())


def _whole(form: dict[str, str], field: str) -> int:
    text = form.get(field, "").strip()
    if not text.isdigit() or len(text) > 6:
        raise RequestInvalid(where=field, detail="enter a whole number of months")
    return int(text)


@router.get("/patients", response_class=HTMLResponse)
def patient_search(
    request: Request,
    family_name: Annotated[str, Query(max_length=100)] = "",
    mrn: Annotated[str, Query(max_length=40)] = "",
    birth_date: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    searched = bool(family_name.strip() or mrn.strip() or birth_date.strip())
    found: list[Any] = []
    if searched:
        query = PatientQuery(
            mrn=mrn.strip() or None,
            family_name_prefix=family_name.strip() or None,
            birth_date=_date(birth_date, "birth_date", now=thecal.clock.now()),
            limit=50,
        )
        found = list(thecal.run(search_patients, SearchPatients(actor=auth.actor, query=query)))
    outside = None  # an exact MRN on another care team: offer to break the glass (SR-21)
    if not found and mrn.strip() and is_allowed(auth.actor, Action.BREAK_GLASS, _PATIENTS):
        outside = thecal.run(find_outside_teams, FindOutsideTeams(actor=auth.actor, mrn=mrn))
    return render(
        request,
        "patients.html",
        patients=found,
        outside=outside,
        searched=searched,
        form={"family_name": family_name, "mrn": mrn, "birth_date": birth_date},
    )


@router.get("/patients/new", response_class=HTMLResponse)
def patient_new(request: Request) -> Response:
    page_auth(request)
    return render(request, "patient_new.html", form={}, sexes=list(Sex), refusal=None)


#: The registration form's fields: a refusal naming one is shown next to it.
_PATIENT_FIELDS = ("mrn", "family_name", "given_names", "birth_date", "sex", "phone", "email")


@router.post("/patients/new", response_class=HTMLResponse)
async def patient_create(request: Request) -> Response:
    """Register a patient; a refused form comes back with what was typed and the message next
    to its field (issue 13 §5), nothing registered."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        born = _date(form.get("birth_date", ""), "birth_date")
        if born is None:
            raise RequestInvalid(where="birth_date", detail="is required (YYYY-MM-DD)")
        try:
            sex = Sex(form.get("sex", ""))
        except ValueError:
            raise RequestInvalid(where="sex", detail="choose one of the options") from None
        patient = thecal.run(
            register_patient,
            RegisterPatient(
                actor=auth.actor,
                mrn=form.get("mrn", "").strip(),
                family_name=form.get("family_name", "").strip(),
                given_names=form.get("given_names", "").strip(),
                birth_date=born,
                sex=sex,
                contact=Contact(
                    phone=form.get("phone", "").strip(), email=form.get("email", "").strip()
                ),
            ),
        )
    except (InvalidInput, DuplicateMrn) as refused:
        refusal = FormRefusal.of(refused, _PATIENT_FIELDS)
        if isinstance(refused, DuplicateMrn):
            refusal = FormRefusal(message=refused.message, code=refused.code, field="mrn")
        typed = {k: v for k, v in form.items() if k in _PATIENT_FIELDS}
        return render(
            request,
            "patient_new.html",
            status_code=422,
            form=typed,
            sexes=list(Sex),
            refusal=refusal,
        )
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: PatientId) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=patient_id))
    assessments = thecal.run(get_candidacy, GetCandidacy(actor=auth.actor, patient_id=patient_id))
    therapy = thecal.run(
        get_therapy_history, GetTherapyHistory(actor=auth.actor, patient_id=patient_id)
    )
    trials = thecal.run(get_trial_history, GetTrialHistory(actor=auth.actor, patient_id=patient_id))
    now = thecal.clock.now()
    glances = {  # the pump at a glance, for each pump in service (issue 13 §1)
        h.pump.id: glance_text(
            thecal.run(get_pump_overview, GetPumpOverview(actor=auth.actor, pump_id=h.pump.id))
        )
        for h in therapy.pumps
        if h.pump.state is PumpState.ACTIVE
    }
    return render(
        request,
        "patient.html",
        patient=patient,
        glances=glances,
        candidacy=[candidacy_public(a) for a in assessments],
        timeline=patient_timeline(patient, assessments, therapy, trials),
        trials=trials,
        therapy=therapy,
        pain_chart=pain_chart(therapy.assessments),
        dose_charts=[chart for h in therapy.pumps for chart in dose_charts(h, now)],
    )


def _candidacy_choices() -> dict[str, Any]:
    return {
        "indications": list(Indication),
        "mechanisms": list(PainMechanism),
        "breadths": list(PainBreadth),
        "psych": list(PsychEvaluation),
        "contraindications": list(Contraindication),
    }


#: The candidacy form's single fields: a refusal naming one is shown next to it.
_CANDIDACY_FIELDS = (
    "indication",
    "mechanism",
    "breadth",
    "cancer_category",
    "life_expectancy_months",
    "conservative_therapy_months",
    "oral_medication_months",
    "psych_evaluation",
    "anticoagulation_plan",
    "notes",
)
_MEDICATION_ROWS = 3


def _candidacy_page(
    request: Request,
    patient_id: str,
    *,
    typed: dict[str, Any] | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    """The candidacy form: empty, or again with what was typed and why it was refused (422)."""
    auth = page_auth(request)
    patient = thecal_of(request).run(
        get_patient, GetPatient(actor=auth.actor, patient_id=patient_id)
    )
    kept = typed or {}
    medications = list(kept.get("medications", []))
    medications += [("", "", "no")] * (_MEDICATION_ROWS - len(medications))
    return render(
        request,
        "candidacy_new.html",
        status_code=200 if refusal is None else 422,
        patient=patient,
        form=kept,
        medications=medications[: max(_MEDICATION_ROWS, len(medications))],
        refusal=refusal,
        **_candidacy_choices(),
    )


@router.get("/patients/{patient_id}/candidacy/new", response_class=HTMLResponse)
def candidacy_new(request: Request, patient_id: PatientId) -> Response:
    return _candidacy_page(request, patient_id)


def _validation_field(loc: tuple[Any, ...]) -> str:
    """The form field a schema error's location names (``medications.1.drug`` → ``med_drug_1``)."""
    if len(loc) >= 3 and loc[0] == "medications" and loc[2] in ("drug", "opioid"):
        return f"med_{loc[2]}_{loc[1]}"
    if len(loc) >= 2 and loc[0] == "medications":
        return f"med_dose_{loc[1]}"
    return str(loc[0]) if loc and loc[0] in _CANDIDACY_FIELDS else ""


def _medication_dose(text: str) -> str:
    """A systemic medicine's dose as the clinician wrote it, in its usual unit ("40 mg/day" of
    oxycodone, "25 mcg/h" for a fentanyl patch), read by the strict parser (a number without its
    unit is refused with its THC-QTY code); the record keeps it exactly, in mcg/day, converted
    without rounding."""
    return plain(parse_dose_rate(text.strip()).mcg_per_day)


@router.post("/patients/{patient_id}/candidacy/new", response_class=HTMLResponse)
async def candidacy_create(request: Request, patient_id: PatientId) -> Response:
    """Record a candidacy assessment; a refused form comes back with everything typed and the
    message next to its field (issue 13 §5), nothing recorded."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    raw = await request.form()
    rows = [
        (drug, dose, opioid if isinstance(opioid, str) else "no")
        for drug, dose, opioid in zip(
            raw.getlist("med_drug"),
            raw.getlist("med_dose"),
            raw.getlist("med_opioid"),
            strict=False,
        )
        if isinstance(drug, str) and isinstance(dose, str)
    ]
    contraindications = [c for c in raw.getlist("contraindications") if isinstance(c, str)]
    try:
        medications = [
            {
                "drug": drug,
                "daily_dose_mcg_per_day": at_field(
                    f"med_dose_{n}", partial(_medication_dose, dose)
                ),
                "opioid": opioid == "yes",
            }
            for n, (drug, dose, opioid) in enumerate(rows)
            if drug.strip()
        ]
        data: dict[str, Any] = {
            "indication": form.get("indication"),
            "mechanism": form.get("mechanism"),
            "breadth": form.get("breadth"),
            "conservative_therapy_months": _whole(form, "conservative_therapy_months"),
            "oral_medication_months": _whole(form, "oral_medication_months"),
            "psych_evaluation": form.get("psych_evaluation"),
            "cancer_category": int(form["cancer_category"])
            if form.get("cancer_category", "") in {"1", "2", "3"}
            else None,
            "life_expectancy_months": _whole(form, "life_expectancy_months")
            if form.get("life_expectancy_months", "").strip()
            else None,
            "contraindications": contraindications,
            "anticoagulation_plan": form.get("anticoagulation_plan", ""),
            "medications": medications,
            "notes": form.get("notes", ""),
        }
        try:
            body = CandidacyCreate.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first.get("loc", ()))
            where = ".".join(str(p) for p in loc)
            refused = RequestInvalid(where=where, detail=str(first.get("msg", "invalid")))
            field = _validation_field(loc)
            raise (refused if not field else FieldRefused(field, refused)) from None
        thecal_of(request).run(
            record_candidacy,
            RecordCandidacy(
                actor=auth.actor, patient_id=patient_id, details=candidacy_details(body)
            ),
        )
    except (FieldRefused, InvalidInput, UnknownReference) as refused:
        typed: dict[str, Any] = {k: v for k, v in form.items() if k in _CANDIDACY_FIELDS}
        typed["contraindications"] = contraindications
        typed["medications"] = rows
        return _candidacy_page(
            request, patient_id, typed=typed, refusal=FormRefusal.of(refused, _CANDIDACY_FIELDS)
        )
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)
