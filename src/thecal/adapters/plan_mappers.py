"""Rows ↔ the ``Trial`` and ``MriPlan`` aggregates (tables in ``adapters/orm_plans.py``).

Aggregates are rebuilt without re-running their constructors (which check a *new* plan and its
planner's role): the object is created blank and its attributes set from the row, exactly as
stored. Units are converted here: doses in mcg, periods in seconds, volumes in mL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from thecal.adapters.pathway_mappers import task_from_dict, task_to_dict
from thecal.adapters.program_codec import canonical_json
from thecal.domain.actors import Transition
from thecal.domain.drugs import DrugClass
from thecal.domain.library import reference_library
from thecal.domain.mri import MriPlan, MriState
from thecal.domain.program_change import FindingSummary
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
from thecal.domain.units import Duration, Mass, Volume

__all__ = [
    "findings_json",
    "mri_from_row",
    "mri_to_row",
    "observation_from_row",
    "observation_to_row",
    "trial_from_rows",
    "trial_to_row",
]

Row = Mapping[Any, Any]


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat()


def _at(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _history_json(history: Sequence[Transition]) -> str:
    return canonical_json(
        [
            {
                "action": t.action,
                "from": t.from_state,
                "to": t.to_state,
                "user_id": t.user_id,
                "at": _iso(t.at),
                "version": t.version,
            }
            for t in history
        ]
    )


def _history(text: str) -> list[Transition]:
    return [
        Transition(
            action=d["action"],
            from_state=d["from"],
            to_state=d["to"],
            user_id=d["user_id"],
            at=dt.datetime.fromisoformat(d["at"]),
            version=int(d["version"]),
        )
        for d in json.loads(text)
    ]


def findings_json(findings: Sequence[FindingSummary]) -> str:
    return canonical_json(
        [
            {"code": f.code, "severity": f.severity.value, "message": f.message, "source": f.source}
            for f in findings
        ]
    )


# ----------------------------------------------------------------------------- trials


def _baseline_json(b: TrialBaseline) -> str:
    return canonical_json(
        {
            "at": _iso(b.at),
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
            "readout_at": _iso(e.readout_at),
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
        readout_at=_at(d["readout_at"]),
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
        "history_json": _history_json(trial.history),
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
    trial.history = _history(row["history_json"])
    return trial


# ----------------------------------------------------------------------------- MRI plans


def mri_to_row(plan: MriPlan, *, pump_id: str, task_id: str | None) -> dict[str, Any]:
    return {
        "id": plan.plan_id,
        "patient_id": plan.patient_id,
        "pump_id": pump_id,
        "pump_model_id": plan.pump.id,
        "pump_serial": plan.pump_serial,
        "scan_at": plan.scan_at,
        "field_strength_t": plan.field_strength_t,
        "state": plan.state.value,
        "emptied_volume_ml": None if plan.emptied_volume is None else plan.emptied_volume.value,
        "emptied_at": plan.emptied_at,
        "scanned_at": plan.scanned_at,
        "task_id": task_id,
        "task_json": None if plan.task is None else canonical_json(task_to_dict(plan.task)),
        "history_json": _history_json(plan.history),
        "version": plan.version,
    }


def mri_from_row(row: Row) -> MriPlan:
    plan = MriPlan.__new__(MriPlan)
    plan.plan_id, plan.patient_id = row["id"], row["patient_id"]
    plan.pump = reference_library().pump(row["pump_model_id"])
    plan.pump_serial = row["pump_serial"]
    plan.scan_at = row["scan_at"]
    plan.field_strength_t = Decimal(row["field_strength_t"])
    plan.state = MriState(row["state"])
    plan.version = int(row["version"])
    emptied = row["emptied_volume_ml"]
    plan.emptied_volume = None if emptied is None else Volume(Decimal(emptied))
    plan.emptied_at = row["emptied_at"]
    plan.scanned_at = row["scanned_at"]
    plan.task = None if row["task_json"] is None else task_from_dict(json.loads(row["task_json"]))
    plan.history = _history(row["history_json"])
    return plan
