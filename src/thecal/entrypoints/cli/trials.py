"""`thecal trials plan|administer|observe|discharge|decide|show`: the intrathecal trial."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thecal.domain.policy import ClinicPolicy
from thecal.domain.quantity_display import drug_unit, in_drug_unit, shown
from thecal.domain.quantity_text import parse_mass
from thecal.domain.trial import (
    Sedation,
    Trial,
    TrialBaseline,
    TrialDecision,
    TrialObservation,
    TrialRoute,
    Vitals,
    VitalSignLimits,
    alerts_in,
)
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import instant
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    GetTrial,
    ObserveTrial,
    PlanTrial,
    administer_trial,
    decide_trial,
    discharge_trial,
    get_trial,
    observe_trial,
    plan_trial,
)

__all__ = ["app", "trial_payload"]

app = typer.Typer(no_args_is_help=True, help="Plan, dose, observe, discharge and decide trials.")
Version = Annotated[int, typer.Option("--version", help="The trial version you saw.")]


def trial_payload(trial: Trial) -> dict[str, Any]:
    e = trial.evaluation
    return {
        "trial_id": trial.trial_id,
        "patient_id": trial.patient_id,
        "state": trial.state.value,
        "version": trial.version,
        "drug": trial.plan.drug_id,
        "dose": in_drug_unit(trial.plan.dose, trial.plan.drug_id),
        "route": trial.plan.route.value,
        "level": trial.plan.spinal_level,
        "observation_period": str(trial.plan.observation_period),
        "observation_source": trial.plan.observation_source,
        "criterion": trial.criterion.describe(),
        "administered_at": trial.administered_at.isoformat() if trial.administered_at else None,
        "observations": [
            {
                "at": o.at.isoformat(),
                "pain_nrs": o.pain_nrs,
                "sedation": o.sedation.value if o.sedation else None,
                "side_effects": list(o.side_effects),
                "alerts": [a.describe() for a in alerts_in(o, _LIMITS, opioid=trial.opioid)],
            }
            for o in trial.observations
        ],
        "discharged_at": trial.discharged_at.isoformat() if trial.discharged_at else None,
        "decision": trial.decision.value if trial.decision else None,
        "success": None if e is None else e.success,
        "pain_reduction_pct": None
        if e is None or e.pain_reduction_pct is None
        else str(e.pain_reduction_pct),
    }


#: The vital-sign alert limits of the clinic policy in use (domain/trial/vital_signs.py).
_LIMITS = VitalSignLimits.from_policy(ClinicPolicy())


def _human(trial: Trial) -> str:
    text = (
        f"trial {trial.trial_id} {trial.state.value} (version {trial.version}): "
        f"{trial.plan.drug_id} {shown(trial.plan.dose, mass=drug_unit(trial.plan.drug_id))} {trial.plan.route.value} at {trial.plan.spinal_level}, "
        f"observe {trial.plan.observation_period} ({trial.plan.observation_source})"
    )
    latest = trial.observations[-1] if trial.observations else None
    alerts = alerts_in(latest, _LIMITS, opioid=trial.opioid) if latest is not None else ()
    if alerts and trial.state.value == "administered":
        text += "\nALERT, not fit for discharge: " + "; ".join(a.describe() for a in alerts)
    return text


@app.command()
def plan(
    as_user: AsUser,
    patient: Annotated[str, typer.Option(help="Patient id.")],
    drug: Annotated[str, typer.Option(help="Drug id, e.g. morphine.")],
    dose: Annotated[str, typer.Option(help='Trial dose, e.g. "0.3 mg".')],
    level: Annotated[str, typer.Option(help="Spinal level or interspace, e.g. L3-L4.")],
    baseline_pain: Annotated[int, typer.Option(help="Baseline NRS pain 0–10.")],
    route: Annotated[TrialRoute, typer.Option(help="Route.")] = TrialRoute.IT_BOLUS,
    baseline_function: Annotated[int | None, typer.Option(help="Baseline function 0–100.")] = None,
    as_json: Json = False,
) -> None:
    """Plan a trial (the dose is safety-reviewed; baseline taken now)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        planned = thecal.run(
            plan_trial,
            PlanTrial(
                actor=resolve_actor(thecal, as_user),
                patient_id=patient,
                drug_id=drug,
                dose=parse_mass(dose),
                route=route,
                spinal_level=level,
                baseline=TrialBaseline(
                    at=thecal.clock.now(), pain_nrs=baseline_pain, function_score=baseline_function
                ),
            ),
        )
        payload = {
            **trial_payload(planned.trial),
            "findings": [f"{f.code} {f.severity.value}: {f.message}" for f in planned.findings],
        }
        emit(payload, _human(planned.trial), as_json=as_json)


@app.command()
def administer(as_user: AsUser, trial_id: str, version: Version, as_json: Json = False) -> None:
    """Record the trial dose as given now."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        trial = thecal.run(
            administer_trial,
            AdministerTrial(
                actor=resolve_actor(thecal, as_user), trial_id=trial_id, expected_version=version
            ),
        )
        emit(trial_payload(trial), _human(trial), as_json=as_json)


@app.command()
def observe(
    as_user: AsUser,
    trial_id: str,
    pain: Annotated[int | None, typer.Option(help="NRS pain 0–10.")] = None,
    function: Annotated[int | None, typer.Option(help="Function score 0–100.")] = None,
    sedation: Annotated[Sedation | None, typer.Option(help="POSS sedation: S, 1–4.")] = None,
    vitals: Annotated[str | None, typer.Option(help="RR/SpO2/HR/SBP, e.g. 14/97/72/128.")] = None,
    side_effect: Annotated[
        list[str] | None, typer.Option(help="A side effect (repeatable).")
    ] = None,
    intolerable: Annotated[bool, typer.Option(help="The side effects are intolerable.")] = False,
    at: Annotated[str | None, typer.Option(help="Observation time (ISO; default now).")] = None,
    as_json: Json = False,
) -> None:
    """Record one time point after the dose."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        parsed_vitals = None
        if vitals is not None:
            rr, spo2, hr, sbp = (int(v) for v in vitals.split("/"))
            parsed_vitals = Vitals(
                respiratory_rate=rr, spo2_pct=spo2, heart_rate=hr, systolic_bp=sbp
            )
        trial = thecal.run(
            observe_trial,
            ObserveTrial(
                actor=resolve_actor(thecal, as_user),
                trial_id=trial_id,
                observation=TrialObservation(
                    at=instant(at, "--at") if at else thecal.clock.now(),
                    pain_nrs=pain,
                    function_score=function,
                    vitals=parsed_vitals,
                    sedation=sedation,
                    side_effects=tuple(side_effect or ()),
                    intolerable=intolerable,
                ),
            ),
        )
        emit(trial_payload(trial), _human(trial), as_json=as_json)


@app.command()
def discharge(as_user: AsUser, trial_id: str, version: Version, as_json: Json = False) -> None:
    """Discharge after the observation period (refused before it, THC-PATH-031), with a latest
    observation fit to leave: a sedation score below POSS 3 (THC-PATH-032) and vital signs within
    the alert limits, required after an opioid (THC-PATH-035)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        trial = thecal.run(
            discharge_trial,
            DischargeTrial(
                actor=resolve_actor(thecal, as_user), trial_id=trial_id, expected_version=version
            ),
        )
        emit(trial_payload(trial), _human(trial), as_json=as_json)


@app.command()
def decide(
    as_user: AsUser,
    trial_id: str,
    version: Version,
    decision: Annotated[TrialDecision, typer.Option(help="The decision.")],
    rationale: Annotated[str, typer.Option(help="Why.")],
    as_json: Json = False,
) -> None:
    """The physician's decision (implant needs a successful evaluation)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        trial = thecal.run(
            decide_trial,
            DecideTrial(
                actor=resolve_actor(thecal, as_user),
                trial_id=trial_id,
                expected_version=version,
                decision=decision,
                rationale=rationale,
            ),
        )
        emit(trial_payload(trial), _human(trial), as_json=as_json)


@app.command()
def show(as_user: AsUser, trial_id: str, as_json: Json = False) -> None:
    """Show a trial with its observations."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            get_trial, GetTrial(actor=resolve_actor(thecal, as_user), trial_id=trial_id)
        )
        emit(trial_payload(found.trial), _human(found.trial), as_json=as_json)
