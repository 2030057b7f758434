"""Trial pages: plan a trial (the dose safety-reviewed, overrides justified), administer, record
observations, discharge (gated by the clinic's observation period), the evaluation against the
drug's success criterion, and the physician's decision with its rationale.

Every step is a use case in ``services/trials.py``; this module only turns forms into commands.
A refusal the clinician must act on (observation period not over, patient too sedated, trial not
successful, an override without a justification) is shown on the page that caused it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.authorization import Action
from thecal.domain.errors import InvalidInput, RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program_change import OverrideJustification, OverrideReason
from thecal.domain.quantity_text import parse_mass
from thecal.domain.trial import (
    NALOXONE_PROMPT,
    ObservationPeriodNotElapsed,
    PatientTooSedated,
    Sedation,
    Trial,
    TrialBaseline,
    TrialDecision,
    TrialEvaluation,
    TrialNotEvaluable,
    TrialNotSuccessful,
    TrialObservation,
    TrialRoute,
    TrialState,
    Vitals,
    VitalSignLimits,
    VitalSignsNotSafe,
    alerts_in,
)
from thecal.entrypoints.web.form_fields import (
    FieldRefused,
    FormRefusal,
    at_field,
    by_severity,
    choice,
    local_instant,
    optional_whole,
    version,
    whole,
)
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.patients import GetPatient, OpenPatientForm, get_patient, open_patient_form
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    EvaluateTrial,
    GetTrial,
    ObserveTrial,
    PlanTrial,
    TrialOverrideMissing,
    administer_trial,
    decide_trial,
    discharge_trial,
    evaluate_trial,
    get_trial,
    observe_trial,
    plan_trial,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
_REFUSALS = (ObservationPeriodNotElapsed, PatientTooSedated, TrialNotSuccessful, VitalSignsNotSafe)


def _plan_form(
    request: Request,
    patient_id: str,
    *,
    form: dict[str, str],
    refusal: TrialOverrideMissing | None = None,
    input_refusal: FormRefusal | None = None,
) -> Response:
    """The trial plan form; again after a refusal with what was typed: the overrides the safety
    review asks for (``refusal``), or an entry that cannot be read, next to its field."""
    auth = page_auth(request)
    patient = thecal_of(request).run(
        open_patient_form,
        OpenPatientForm(actor=auth.actor, patient_id=patient_id, action=Action.TRIAL_PLAN),
    )
    drugs = [d for d in reference_library().drugs.values() if d.trial_bolus is not None]
    codes = [c.strip() for c in str(refusal.fields["codes"]).split(",")] if refusal else []
    return render(
        request,
        "trial_new.html",
        status_code=422 if refusal or input_refusal else 200,
        patient=patient,
        drugs=drugs,
        routes=list(TrialRoute),
        form=form,
        refusal=refusal,
        input_refusal=input_refusal,
        override_codes=codes,
        override_reasons=list(OverrideReason),
    )


@router.get("/patients/{patient_id}/trials/new", response_class=HTMLResponse)
def trial_new(request: Request, patient_id: Ident) -> Response:
    return _plan_form(request, patient_id, form={})


#: The plan form's fields: a refusal naming one is shown next to it.
_PLAN_FIELDS = ("drug", "dose", "route", "spinal_level", "baseline_pain", "baseline_function")


@router.post("/patients/{patient_id}/trials", response_class=HTMLResponse)
async def trial_plan(request: Request, patient_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    raw = await request.form()
    thecal = thecal_of(request)
    try:
        overrides = tuple(
            OverrideJustification(
                finding_code=code,
                reason=choice(form, f"override_reason_{code}", "override reason", OverrideReason),
                text=form.get(f"override_text_{code}", ""),
            )
            for code in raw.getlist("override")
            if isinstance(code, str)
        )
        command = PlanTrial(
            actor=auth.actor,
            patient_id=patient_id,
            drug_id=form.get("drug", "").strip(),
            dose=at_field("dose", partial(parse_mass, form.get("dose", ""))),
            route=at_field("route", partial(choice, form, "route", "route", TrialRoute)),
            spinal_level=form.get("spinal_level", ""),
            baseline=TrialBaseline(
                at=thecal.clock.now(),
                pain_nrs=at_field(
                    "baseline_pain", partial(whole, form, "baseline_pain", "baseline pain (NRS)")
                ),
                function_score=at_field(
                    "baseline_function",
                    partial(optional_whole, form, "baseline_function", "baseline function"),
                ),
            ),
            overrides=overrides,
        )
        planned = thecal.run(plan_trial, command)
    except TrialOverrideMissing as refusal:
        return _plan_form(request, patient_id, form=form, refusal=refusal)
    except (FieldRefused, InvalidInput) as refused:
        return _plan_form(
            request, patient_id, form=form, input_refusal=FormRefusal.of(refused, _PLAN_FIELDS)
        )
    return RedirectResponse(f"/trials/{planned.trial.trial_id}", status_code=303)


def _evaluation(request: Request, trial: Trial) -> tuple[TrialEvaluation | None, str]:
    """The evaluation so far (an audited read), or why there is none yet."""
    if trial.evaluation is not None:
        return trial.evaluation, ""
    if trial.state not in (TrialState.ADMINISTERED, TrialState.DISCHARGED):
        return None, ""
    auth = page_auth(request)
    try:
        found = thecal_of(request).run(
            evaluate_trial, EvaluateTrial(actor=auth.actor, trial_id=trial.trial_id)
        )
    except TrialNotEvaluable as why:
        return None, why.message
    return found, ""


def _trial_page(
    request: Request,
    trial_id: str,
    *,
    refusal: Exception | None = None,
    status_code: int = 200,
    observation: dict[str, str] | None = None,
    observation_refusal: FormRefusal | None = None,
    decision: dict[str, str] | None = None,
) -> Response:
    """The trial; ``observation`` and ``observation_refusal``: a refused observation shown again
    as it was typed, the message next to its field (issue 13 §5)."""
    auth = page_auth(request)
    thecal = thecal_of(request)
    found = thecal.run(get_trial, GetTrial(actor=auth.actor, trial_id=trial_id))
    trial = found.trial
    patient = thecal.run(get_patient, GetPatient(actor=auth.actor, patient_id=trial.patient_id))
    evaluation, not_evaluable = _evaluation(request, trial)
    discharge_from = (
        trial.administered_at + trial.plan.observation_period.to_timedelta()
        if trial.administered_at
        else None
    )
    limits = VitalSignLimits.from_policy(ClinicPolicy())
    alerts = [alerts_in(o, limits, opioid=trial.opioid) for o in trial.observations]
    context: dict[str, Any] = {
        "alerts": alerts,
        "latest_alerts": alerts[-1] if alerts else (),
        "naloxone_prompt": NALOXONE_PROMPT,
        "limits": limits,
        "trial": trial,
        "patient": patient,
        "findings": by_severity(found.findings),
        "evaluation": evaluation,
        "not_evaluable": not_evaluable,
        "discharge_from": discharge_from,
        "sedation": list(Sedation),
        "decisions": list(TrialDecision),
        "refusal": refusal,
        "obs": observation or {},
        "obs_refusal": observation_refusal,
        "decided": decision or {},  # a refused decision's choice and rationale, shown again
    }
    return render(request, "trial.html", status_code=status_code, **context)


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, trial_id: Ident) -> Response:
    return _trial_page(request, trial_id)


@router.post("/trials/{trial_id}/administration", response_class=HTMLResponse)
async def trial_administer(request: Request, trial_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal_of(request).run(
        administer_trial,
        AdministerTrial(actor=auth.actor, trial_id=trial_id, expected_version=version(form)),
    )
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)


def _vitals(form: dict[str, str]) -> Vitals | None:
    labels = {
        "respiratory_rate": "respiratory rate",
        "spo2_pct": "SpO2",
        "heart_rate": "heart rate",
        "systolic_bp": "systolic BP",
    }
    parts = {
        key: at_field(key, partial(optional_whole, form, key, label))
        for key, label in labels.items()
    }
    given = {k: v for k, v in parts.items() if v is not None}
    if not given:
        return None
    if len(given) < len(parts):
        missing = ", ".join(k.replace("_", " ") for k in parts if k not in given)
        raise FieldRefused(
            next(k for k in parts if k not in given),
            RequestInvalid(
                where="vital signs", detail=f"record all four or none; missing: {missing}"
            ),
        )
    return Vitals(**given)


#: The observation form's fields: a refusal naming one is shown next to it.
_OBSERVATION_FIELDS = (
    "observed_at",
    "pain_nrs",
    "function_score",
    "sedation",
    "respiratory_rate",
    "spo2_pct",
    "heart_rate",
    "systolic_bp",
    "side_effects",
    "intolerable",
)


def _observation_refusal(refused: FieldRefused | InvalidInput) -> FormRefusal:
    """Next to its field; the service names the time "observation time" (a future or an
    implausible one, issue 15 §5), shown next to the time typed."""
    refusal = FormRefusal.of(refused, _OBSERVATION_FIELDS)
    if isinstance(refused, InvalidInput) and refused.fields.get("where") == "observation time":
        return FormRefusal(message=refusal.message, code=refusal.code, field="observed_at")
    return refusal


@router.post("/trials/{trial_id}/observations", response_class=HTMLResponse)
async def trial_observe(request: Request, trial_id: Ident) -> Response:
    """Record an observation; a refused one (a number that is not one, three vital signs of
    four, a time in the future) comes back as typed with the message next to its field."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    sedation_text = form.get("sedation", "").strip()
    effects = tuple(
        line.strip() for line in form.get("side_effects", "").splitlines() if line.strip()
    )
    at_text = form.get("observed_at", "").strip()
    try:
        observation = TrialObservation(
            at=at_field(
                "observed_at", partial(local_instant, form, "observed_at", "observation time")
            )
            if at_text
            else thecal.clock.now(),
            pain_nrs=at_field("pain_nrs", partial(optional_whole, form, "pain_nrs", "pain (NRS)")),
            function_score=at_field(
                "function_score",
                partial(optional_whole, form, "function_score", "function score"),
            ),
            vitals=_vitals(form),
            sedation=at_field(
                "sedation", partial(choice, form, "sedation", "sedation (POSS)", Sedation)
            )
            if sedation_text
            else None,
            side_effects=effects,
            intolerable=form.get("intolerable") == "yes",
        )
        thecal.run(
            observe_trial,
            ObserveTrial(actor=auth.actor, trial_id=trial_id, observation=observation),
        )
    except (FieldRefused, InvalidInput) as refused:
        return _trial_page(
            request,
            trial_id,
            status_code=422,
            observation={k: v for k, v in form.items() if k in _OBSERVATION_FIELDS},
            observation_refusal=_observation_refusal(refused),
        )
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)


@router.post("/trials/{trial_id}/discharge", response_class=HTMLResponse)
async def trial_discharge(request: Request, trial_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        thecal_of(request).run(
            discharge_trial,
            DischargeTrial(actor=auth.actor, trial_id=trial_id, expected_version=version(form)),
        )
    except _REFUSALS as refusal:
        return _trial_page(request, trial_id, refusal=refusal, status_code=409)
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)


@router.post("/trials/{trial_id}/decision", response_class=HTMLResponse)
async def trial_decide(request: Request, trial_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        thecal_of(request).run(
            decide_trial,
            DecideTrial(
                actor=auth.actor,
                trial_id=trial_id,
                expected_version=version(form),
                decision=choice(form, "decision", "decision", TrialDecision),
                rationale=form.get("rationale", ""),
                prior_successful_occasions=optional_whole(
                    form, "prior_successful_occasions", "earlier successful occasions"
                )
                or 0,
            ),
        )
    except (*_REFUSALS, InvalidInput) as refusal:
        return _trial_page(
            request,
            trial_id,
            refusal=refusal,
            status_code=422 if isinstance(refusal, InvalidInput) else 409,
            decision={
                k: form.get(k, "") for k in ("decision", "rationale", "prior_successful_occasions")
            },
        )
    return RedirectResponse(f"/trials/{trial_id}", status_code=303)
