"""Pathway requests → domain values, and pathway records → API DTOs.

Quantity text is read by the strict parser only; a refusal keeps its own ``THC-QTY-*`` code and
gains ``fields.where`` (the request field it came from), so the client knows which entry to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from thecal.domain.admixture import Admixture, Component
from thecal.domain.assessment import Assessment
from thecal.domain.mri import MriPlan
from thecal.domain.procedure import ProcedureRecord
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.program_change import FindingSummary
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.domain.tasks import Task
from thecal.domain.trial import (
    Trial,
    TrialBaseline,
    TrialEvaluation,
    TrialObservation,
    Vitals,
)
from thecal.domain.units import Duration, Volume, plain
from thecal.entrypoints.api.presenters import finding_public, quantity
from thecal.entrypoints.api.schemas_pathway import (
    AssessmentPublic,
    ImplantCreate,
    ImplantPublic,
    MriPlanPublic,
    PlannedTaskPublic,
    ProcedurePublic,
    TrialBaselineIn,
    TrialDetailPublic,
    TrialEvaluationPublic,
    TrialObservationIn,
    TrialObservationPublic,
    TrialPublic,
)
from thecal.services.pumps import ImplantResult

__all__ = [
    "assessment_public",
    "implant_admixture",
    "implant_fill_volume",
    "implant_program",
    "implant_public",
    "mri_plan_public",
    "page",
    "procedure_public",
    "trial_baseline",
    "trial_detail_public",
    "trial_evaluation_public",
    "trial_observation",
    "trial_public",
]

_T = TypeVar("_T")


def page(items: Sequence[_T], *, limit: int, offset: int) -> list[_T]:
    """One page of an already authorized, audited result."""
    return list(items[offset : offset + limit])


def _hours(duration: Duration) -> str:
    return plain(duration.in_hours)


# ----------------------------------------------------------------------------- trials


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
        dose=str(plan.dose),
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


# ----------------------------------------------------------------------------- implants


def implant_admixture(body: ImplantCreate) -> Admixture:
    return Admixture(
        components=tuple(
            Component(
                drug_id=c.drug_id,
                concentration=quantity(
                    parse_concentration,
                    c.concentration,
                    where=f"body.admixture.{i}.concentration",
                ),
            )
            for i, c in enumerate(body.admixture)
        )
    )


def implant_program(body: ImplantCreate, admixture: Admixture) -> InfusionProgram:
    bolus = body.patient_bolus
    return InfusionProgram.continuous(
        admixture,
        quantity(parse_dose_rate, body.daily_dose, where="body.daily_dose"),
        patient_bolus=None
        if bolus is None
        else PatientBolusSettings(
            dose=quantity(parse_mass, bolus.dose, where="body.patient_bolus.dose"),
            duration=quantity(parse_duration, bolus.duration, where="body.patient_bolus.duration"),
            lockout=quantity(parse_duration, bolus.lockout, where="body.patient_bolus.lockout"),
            max_per_day=bolus.max_per_day,
        ),
    )


def implant_fill_volume(body: ImplantCreate) -> Volume:
    return quantity(parse_volume, body.fill_volume, where="body.fill_volume")


def implant_public(result: ImplantResult) -> ImplantPublic:
    pump, record = result.pump, result.implant
    return ImplantPublic(
        pump_id=pump.id,
        implant_id=record.implant_id,
        patient_id=pump.patient_id,
        pump_model_id=pump.model_id,
        serial=pump.serial,
        implanted_at=pump.implanted_at,
        catheter_model_id=pump.catheter_model_id,
        catheter_length_cm=plain(pump.catheter_length_cm),
        catheter_tip_level=pump.catheter_tip_level,
        admixture=pump.admixture.describe(),
        fill_volume_ml=plain(pump.reservoir_volume.ml),
        daily_dose_mcg_per_day=plain(pump.program.basal_daily_dose.mcg_per_day),
        priming_volume_ml=plain(result.priming_volume.ml),
        program_ack=result.program_ack.value,
        pump_version=pump.version,
    )


# ----------------------------------------------------------------------------- records


def assessment_public(a: Assessment) -> AssessmentPublic:
    f = a.figures
    return AssessmentPublic(
        id=a.id,
        patient_id=a.patient_id,
        instrument=a.instrument,
        answers=dict(a.answers),
        scores=dict(a.scores),
        pain_nrs=None if f.pain_nrs is None else plain(f.pain_nrs),
        odi_percent=None if f.odi_percent is None else plain(f.odi_percent),
        pgic=None if f.pgic is None else f.pgic.value,
        eq_vas=f.eq_vas,
        assessed_on=a.assessed_on,
        procedure_id=a.procedure_id,
        days_after_procedure=a.days_after_procedure,
        recorded_by=a.recorded_by,
        recorded_at=a.recorded_at,
        version=a.version,
    )


def procedure_public(p: ProcedureRecord) -> ProcedurePublic:
    return ProcedurePublic(
        id=p.id,
        patient_id=p.patient_id,
        kind=p.kind,
        performed_on=p.performed_on,
        indication=p.indication,
        performer_id=p.performer_id,
        recorded_by=p.recorded_by,
        recorded_at=p.recorded_at,
        source_record_id=p.source_record_id,
        notes=p.notes,
        version=p.version,
    )


# ----------------------------------------------------------------------------- MRI


def _task_public(task: Task) -> PlannedTaskPublic:
    return PlannedTaskPublic(
        kind=task.kind.value,
        due=task.due,
        not_before=task.not_before,
        reason=task.reason,
        source=task.source,
        priority=task.priority.value,
    )


def mri_plan_public(plan: MriPlan) -> MriPlanPublic:
    return MriPlanPublic(
        id=plan.plan_id,
        patient_id=plan.patient_id,
        pump_model_id=plan.pump.id,
        pump_serial=plan.pump_serial,
        scan_at=plan.scan_at,
        field_strength_t=plain(plan.field_strength_t),
        state=plan.state,
        version=plan.version,
        emptying_required=plan.emptying_required,
        emptied_volume_ml=None if plan.emptied_volume is None else plain(plan.emptied_volume.ml),
        emptied_at=plan.emptied_at,
        scanned_at=plan.scanned_at,
        post_mri_task=None if plan.task is None else _task_public(plan.task),
    )
