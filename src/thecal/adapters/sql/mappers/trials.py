"""Rows ↔ the ``Trial`` aggregate and its observations (``tables/trials.py``).

The aggregate is rebuilt without re-running its constructor (which checks a *new* plan and its
planner's role): the object is created blank and its attributes set from the row, exactly as
stored. Units are converted here: doses in mcg, periods in seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    canonical_json,
)
from thecal.adapters.sql.mappers.findings import findings_json
from thecal.adapters.sql.mappers.instants import instant_or_none, iso_text
from thecal.adapters.sql.mappers.transitions import (
    history_from_json,
    history_json,
)
from thecal.domain.drugs import DrugClass
from thecal.domain.program_change import (
    FindingSummary,
)
from thecal.domain.trial import (
    Sedation,
    Trial,
    TrialBaseline,
    TrialDecision,
    TrialEvaluation,
    TrialObservation,
    TrialPlan,
    TrialRoute,
    TrialState,
    Vitals,
    criterion_for,
)
from thecal.domain.units import Duration, Mass

__all__ = [
    "observation_from_row",
    "observation_to_row",
    "trial_from_rows",
    "trial_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def _baseline_json(b: TrialBaseline) -> str:
    return canonical_json(
        {
            "at": iso_text(b.at),
            "pain_nrs": b.pain_nrs,
            "function_score": b.function_score,
            "ashworth": b.ashworth,
            "spasm_frequency": b.spasm_frequency,
        }
    )


def _baseline(text: str) -> TrialBaseline:
    d = json.loads(text)
    return TrialBaseline(
        at=dt.datetime.fromisoformat(d["at"]),
        pain_nrs=d["pain_nrs"],
        function_score=d["function_score"],
        ashworth=d["ashworth"],
        spasm_frequency=d["spasm_frequency"],
    )


def _evaluation_json(e: TrialEvaluation | None) -> str | None:
    if e is None:
        return None
    return canonical_json(
        {
            "readout_at": iso_text(e.readout_at),
            "pain_reduction_pct": None
            if e.pain_reduction_pct is None
            else str(e.pain_reduction_pct),
            "function_change": e.function_change,
            "spasticity_improvement": e.spasticity_improvement,
            "sustained_s": None if e.sustained_for is None else str(e.sustained_for.value),
            "intolerable_side_effects": list(e.intolerable_side_effects),
            "met_this_occasion": e.met_this_occasion,
            "successful_occasions": e.successful_occasions,
            "success": e.success,
            "reasons": list(e.reasons),
        }
    )


def _evaluation(text: str | None, plan: TrialPlan) -> TrialEvaluation | None:
    if text is None:
        return None
    d = json.loads(text)
    return TrialEvaluation(
        criterion=criterion_for(plan),
        readout_at=instant_or_none(d["readout_at"]),
        pain_reduction_pct=None
        if d["pain_reduction_pct"] is None
        else Decimal(d["pain_reduction_pct"]),
        function_change=d["function_change"],
        spasticity_improvement=d["spasticity_improvement"],
        sustained_for=None if d["sustained_s"] is None else Duration(Decimal(d["sustained_s"])),
        intolerable_side_effects=tuple(d["intolerable_side_effects"]),
        met_this_occasion=d["met_this_occasion"],
        successful_occasions=d["successful_occasions"],
        success=d["success"],
        reasons=tuple(d["reasons"]),
    )


def trial_to_row(trial: Trial, *, findings: Sequence[FindingSummary] | None) -> dict[str, Any]:
    """The ``trials`` row (``findings`` only on insert; None leaves the stored findings)."""
    plan = trial.plan
    row: dict[str, Any] = {
        "id": trial.trial_id,
        "patient_id": trial.patient_id,
        "state": trial.state.value,
        "drug_id": plan.drug_id,
        "drug_class": plan.drug_class.value,
        "dose_mcg": plan.dose.value,
        "route": plan.route.value,
        "spinal_level": plan.spinal_level,
        "observation_period_s": plan.observation_period.value,
        "observation_source": plan.observation_source,
        "baseline_json": _baseline_json(trial.baseline),
        "planned_by": trial.history[0].user_id,
        "planned_at": trial.history[0].at,
        "administered_at": trial.administered_at,
        "discharged_at": trial.discharged_at,
        "decision": trial.decision.value if trial.decision else None,
        "decision_rationale": trial.decision_rationale,
        "evaluation_json": _evaluation_json(trial.evaluation),
        "history_json": history_json(trial.history),
        "version": trial.version,
    }
    if findings is not None:
        row["findings_json"] = findings_json(findings)
    return row


def observation_to_row(trial_id: str, seq: int, o: TrialObservation) -> dict[str, Any]:
    v = o.vitals
    return {
        "trial_id": trial_id,
        "seq": seq,
        "at": o.at,
        "pain_nrs": o.pain_nrs,
        "function_score": o.function_score,
        "function_note": o.function_note,
        "respiratory_rate_per_min": v.respiratory_rate if v else None,
        "spo2_pct": v.spo2_pct if v else None,
        "heart_rate_per_min": v.heart_rate if v else None,
        "systolic_bp_mmhg": v.systolic_bp if v else None,
        "sedation_poss": o.sedation.value if o.sedation else None,
        "ashworth": o.ashworth,
        "spasm_frequency": o.spasm_frequency,
        "side_effects_json": canonical_json(list(o.side_effects)),
        "intolerable": o.intolerable,
    }


def observation_from_row(r: Row) -> TrialObservation:
    vitals = (
        None
        if r["respiratory_rate_per_min"] is None
        else Vitals(
            respiratory_rate=r["respiratory_rate_per_min"],
            spo2_pct=r["spo2_pct"],
            heart_rate=r["heart_rate_per_min"],
            systolic_bp=r["systolic_bp_mmhg"],
        )
    )
    return TrialObservation(
        at=r["at"],
        pain_nrs=r["pain_nrs"],
        function_score=r["function_score"],
        function_note=r["function_note"],
        vitals=vitals,
        sedation=Sedation(r["sedation_poss"]) if r["sedation_poss"] else None,
        ashworth=r["ashworth"],
        spasm_frequency=r["spasm_frequency"],
        side_effects=tuple(json.loads(r["side_effects_json"])),
        intolerable=bool(r["intolerable"]),
    )


def trial_from_rows(row: Row, observations: Sequence[Row]) -> Trial:
    plan = TrialPlan(
        drug_id=row["drug_id"],
        drug_class=DrugClass(row["drug_class"]),
        dose=Mass(Decimal(row["dose_mcg"])),
        route=TrialRoute(row["route"]),
        spinal_level=row["spinal_level"],
        observation_period=Duration(Decimal(row["observation_period_s"])),
        observation_source=row["observation_source"],
    )
    trial = Trial.__new__(Trial)
    trial.trial_id, trial.patient_id = row["id"], row["patient_id"]
    trial.plan, trial.baseline = plan, _baseline(row["baseline_json"])
    trial.criterion = criterion_for(plan)
    trial.state = TrialState(row["state"])
    trial.version = int(row["version"])
    trial.administered_at = row["administered_at"]
    trial.observations = tuple(observation_from_row(o) for o in observations)
    trial.discharged_at = row["discharged_at"]
    trial.decision = TrialDecision(row["decision"]) if row["decision"] else None
    trial.decision_rationale = row["decision_rationale"]
    trial.evaluation = _evaluation(row["evaluation_json"], plan)
    trial.history = history_from_json(row["history_json"])
    return trial
