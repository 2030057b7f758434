"""Trial requests → domain values (baseline, observations), and a trial → its API documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from thecal.domain.program_change import (
    FindingSummary,
)
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.trial import (
    Trial,
    TrialBaseline,
    TrialEvaluation,
    TrialObservation,
    Vitals,
)
from thecal.domain.units import Duration, plain
from thecal.entrypoints.api.presenters.findings import finding_public
from thecal.entrypoints.api.schemas.trials import (
    TrialBaselineIn,
    TrialDetailPublic,
    TrialEvaluationPublic,
    TrialObservationIn,
    TrialObservationPublic,
    TrialPublic,
)

__all__ = [
    "trial_baseline",
    "trial_detail_public",
    "trial_evaluation_public",
    "trial_observation",
    "trial_public",
]


def _hours(duration: Duration) -> str:
    return plain(duration.in_hours)


def trial_baseline(body: TrialBaselineIn, *, now: dt.datetime) -> TrialBaseline:
    return TrialBaseline(
        at=body.at or now,
        pain_nrs=body.pain_nrs,
        function_score=body.function_score,
        ashworth=body.ashworth,
        spasm_frequency=body.spasm_frequency,
    )


def trial_observation(body: TrialObservationIn, *, now: dt.datetime) -> TrialObservation:
    vitals = body.vitals
    return TrialObservation(
        at=body.at or now,
        pain_nrs=body.pain_nrs,
        function_score=body.function_score,
        function_note=body.function_note,
        vitals=None
        if vitals is None
        else Vitals(
            respiratory_rate=vitals.respiratory_rate_per_min,
            spo2_pct=vitals.spo2_pct,
            heart_rate=vitals.heart_rate_per_min,
            systolic_bp=vitals.systolic_bp_mmhg,
        ),
        sedation=body.sedation,
        ashworth=body.ashworth,
        spasm_frequency=body.spasm_frequency,
        side_effects=tuple(body.side_effects),
        intolerable=body.intolerable,
    )


def _observation_public(o: TrialObservation) -> TrialObservationPublic:
    v = o.vitals
    return TrialObservationPublic(
        at=o.at,
        pain_nrs=o.pain_nrs,
        function_score=o.function_score,
        function_note=o.function_note,
        respiratory_rate_per_min=v.respiratory_rate if v else None,
        spo2_pct=v.spo2_pct if v else None,
        heart_rate_per_min=v.heart_rate if v else None,
        systolic_bp_mmhg=v.systolic_bp if v else None,
        sedation=o.sedation,
        ashworth=o.ashworth,
        spasm_frequency=o.spasm_frequency,
        side_effects=list(o.side_effects),
        intolerable=o.intolerable,
    )


def trial_evaluation_public(e: TrialEvaluation) -> TrialEvaluationPublic:
    return TrialEvaluationPublic(
        criterion=e.criterion.describe(),
        readout_at=e.readout_at,
        pain_reduction_pct=None if e.pain_reduction_pct is None else plain(e.pain_reduction_pct),
        function_change=e.function_change,
        spasticity_improvement=e.spasticity_improvement,
        sustained_for_hours=None if e.sustained_for is None else _hours(e.sustained_for),
        intolerable_side_effects=list(e.intolerable_side_effects),
        met_this_occasion=e.met_this_occasion,
        successful_occasions=e.successful_occasions,
        success=e.success,
        reasons=list(e.reasons),
    )


def trial_public(trial: Trial) -> TrialPublic:
    plan, base = trial.plan, trial.baseline
    return TrialPublic(
        id=trial.trial_id,
        patient_id=trial.patient_id,
        state=trial.state,
        version=trial.version,
        drug_id=plan.drug_id,
        dose=in_drug_unit(plan.dose, plan.drug_id),
        dose_mcg=plain(plan.dose.mcg),
        route=plan.route,
        spinal_level=plan.spinal_level,
        observation_period_hours=_hours(plan.observation_period),
        observation_source=plan.observation_source,
        criterion=trial.criterion.describe(),
        baseline_at=base.at,
        baseline_pain_nrs=base.pain_nrs,
        baseline_function_score=base.function_score,
        baseline_ashworth=base.ashworth,
        baseline_spasm_frequency=base.spasm_frequency,
        planned_by=trial.history[0].user_id,
        administered_at=trial.administered_at,
        observations=[_observation_public(o) for o in trial.observations],
        discharged_at=trial.discharged_at,
        decision=trial.decision,
        decision_rationale=trial.decision_rationale,
        evaluation=None if trial.evaluation is None else trial_evaluation_public(trial.evaluation),
    )


def trial_detail_public(trial: Trial, findings: Sequence[FindingSummary]) -> TrialDetailPublic:
    return TrialDetailPublic(
        **trial_public(trial).model_dump(), findings=[finding_public(f) for f in findings]
    )
