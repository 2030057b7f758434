"""Authorization-matrix part for the pathway endpoints (see matrix_parts): trials, implants,
assessments, procedures and MRI plans.

Grants, written here from architecture.md §1 (not read from the policy table): physicians do
everything on the pathway; nurses read trials, record observations and discharge, plan MRIs,
empty pumps and record scans, and record assessments and procedures, but do not plan, dose or
decide a trial, implant, or clear for MRI; a patient reads their own procedures and assessments
and records their own diary (an assessment); pharmacists and administrators reach none of it.

One-shot steps (administer, discharge, decide; emptying, clearance, scan) need their object in
the right state for every allowed request, so their request builders rebuild the prepared trial or
MRI plan **under the same id** in that state first (the old rows are deleted, the use cases are
run again, with an earlier clock where the trial needs its 24 h observation period behind it).
The id stays the one the coverage test templates as ``{trial_id}`` / ``{plan_id}``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal
from typing import Any

from api_support import Clinic, MovableClock
from matrix_parts import MatrixPart
from sqlalchemy import delete

from thecal.adapters.sql.tables.mri import mri_plans
from thecal.adapters.sql.tables.trials import trial_observations, trials
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.trial import Sedation, TrialBaseline, TrialObservation, TrialRoute, Vitals
from thecal.domain.units import Concentration, DoseRate, Mass, Volume
from thecal.domain.users import Actor, Role
from thecal.services.mri import ClearMri, PlanMri, clear_mri, plan_mri
from thecal.services.pumps import ImplantPump, implant_pump
from thecal.services.trials import (
    AdministerTrial,
    DischargeTrial,
    ObserveTrial,
    PlanTrial,
    administer_trial,
    discharge_trial,
    observe_trial,
    plan_trial,
)

__all__ = ["PART"]

API = "/api/v1"
_counter = itertools.count(1)
_KINDS = ("own", "foreign")


def _physician(clinic: Clinic) -> Actor:
    return Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _patient(world: Any, kind: str) -> str:
    return str(world.clinic.own_patient if kind == "own" else world.clinic.foreign_patient)


# ----------------------------------------------------------------------------- trials


def _trial_in(clinic: Clinic, patient_id: str, trial_id: str, state: str) -> int:
    """(Re)build trial ``trial_id`` of ``patient_id`` in ``state``; returns its version."""
    with clinic.thecal.engine.begin() as connection:
        connection.execute(
            delete(trial_observations).where(trial_observations.c.trial_id == trial_id)
        )
        connection.execute(delete(trials).where(trials.c.id == trial_id))
    physician = _physician(clinic)
    start = clinic.clock.now() - dt.timedelta(hours=26)  # the 24 h period (S4) is behind us

    def at(moment: dt.datetime) -> dict[str, Any]:
        return {"uow": clinic.thecal.uow(), "clock": MovableClock(moment)}

    planned = plan_trial(
        PlanTrial(
            actor=physician,
            patient_id=patient_id,
            drug_id="morphine",
            dose=Mass.from_mg(Decimal("0.3")),
            route=TrialRoute.IT_BOLUS,
            spinal_level="L3-L4",
            baseline=TrialBaseline(at=start, pain_nrs=8),
            trial_id=trial_id,
        ),
        **at(start),
    ).trial
    if state == "planned":
        return planned.version
    dosed = start + dt.timedelta(minutes=5)
    administer_trial(
        AdministerTrial(actor=physician, trial_id=trial_id, expected_version=1), **at(dosed)
    )
    seen = dosed + dt.timedelta(hours=2)
    trial = observe_trial(
        ObserveTrial(
            actor=physician,
            trial_id=trial_id,
            observation=TrialObservation(
                at=seen,
                pain_nrs=3,
                sedation=Sedation.AWAKE,
                vitals=Vitals(respiratory_rate=14, spo2_pct=97, heart_rate=72, systolic_bp=128),
            ),
        ),
        **at(seen),
    )
    if state == "administered":
        return trial.version
    trial = discharge_trial(
        DischargeTrial(actor=physician, trial_id=trial_id, expected_version=trial.version),
        **at(clinic.clock.now() - dt.timedelta(minutes=1)),
    )
    return trial.version


def _trial(
    state: str,
    method: str,
    suffix: str,
    body: dict[str, Any] | None = None,
    *,
    versioned: bool = False,
) -> Any:
    """A request on the prepared trial, rebuilt in ``state`` first (with its version if asked)."""

    def build(world: Any, kind: str) -> tuple[str, str, dict[str, Any] | None]:
        trial_id = world.ids["trial_id"][kind]
        version = _trial_in(world.clinic, _patient(world, kind), trial_id, state)
        sent = {**(body or {}), "expected_version": version} if versioned else body
        return method, f"{API}/trials/{trial_id}{suffix}", sent

    return build


_TRIAL_PLAN = {
    "drug_id": "morphine",
    "dose": "0.3 mg",
    "spinal_level": "L3-L4",
    "baseline": {"pain_nrs": 8},
}


# ----------------------------------------------------------------------------- implants, MRI


def _implant_synchromed(clinic: Clinic, patient_id: str, serial: str) -> str:
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=_physician(clinic),
            patient_id=patient_id,
            pump_model_id="synchromed-ii-20",
            pump_serial=serial,
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=morphine,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(
                morphine, DoseRate.from_mg_per_day(Decimal(5))
            ),
        ),
    )
    return str(result.pump.id)


def _implant(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "pump_model_id": "synchromed-ii-20",
        "pump_serial": f"NGP-MATRIX-{next(_counter)}",
        "catheter_model_id": "indura-1p-8709sc",
        "catheter_length_cm": "60",
        "catheter_tip_level": "T10",
        "admixture": [{"drug_id": "morphine", "concentration": "25 mg/mL"}],
        "fill_volume": "20 mL",
        "daily_dose": "5 mg/day",
    }
    return "POST", f"{API}/patients/{_patient(world, kind)}/implants", body


def _plan_in(clinic: Clinic, pump_id: str, plan_id: str, state: str) -> None:
    """(Re)build MRI plan ``plan_id`` for the SynchroMed ``pump_id`` (no emptying needed)."""
    with clinic.thecal.engine.begin() as connection:
        connection.execute(delete(mri_plans).where(mri_plans.c.id == plan_id))
    clinic.thecal.run(
        plan_mri,
        PlanMri(
            actor=_physician(clinic),
            pump_id=pump_id,
            scan_at=clinic.clock.now() + dt.timedelta(days=2),
            field_strength_t=Decimal("1.5"),
            plan_id=plan_id,
        ),
    )
    if state == "cleared":
        clinic.thecal.run(clear_mri, ClearMri(actor=_physician(clinic), plan_id=plan_id))


def _mri_serial(kind: str) -> str:
    return f"NGP-MRI-{kind.upper()}"


def _mri_pump(clinic: Clinic, kind: str) -> tuple[str, int]:
    """The SynchroMed implanted for the MRI requests: its id and current version."""
    with clinic.thecal.uow() as uow:
        pump = uow.pumps.get_by_serial(_mri_serial(kind))
    assert pump is not None
    return pump.id, pump.version


def _mri(state: str, suffix: str, *, emptying: bool = False) -> Any:
    def build(world: Any, kind: str) -> tuple[str, str, dict[str, Any] | None]:
        plan_id = world.ids["plan_id"][kind]
        pump_id, _ = _mri_pump(world.clinic, kind)
        _plan_in(world.clinic, pump_id, plan_id, state)
        version = _mri_pump(world.clinic, kind)[1]
        body = {"expected_pump_version": version} if emptying else None
        return "POST", f"{API}/mri-plans/{plan_id}{suffix}", body

    return build


def _plan_mri(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    soon = world.clinic.clock.now() + dt.timedelta(days=2)
    body = {"scan_at": soon.isoformat(), "field_strength_t": "1.5"}
    return "POST", f"{API}/pumps/{world.ids['pump_id'][kind]}/mri-plans", body


# ----------------------------------------------------------------------------- records


def _assessment(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "instrument": "nrs",
        "answers": {"pain": 4},
        "assessed_on": world.clinic.clock.now().date().isoformat(),
    }
    return "POST", f"{API}/patients/{_patient(world, kind)}/assessments", body


def _procedure(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "kind": "epidural_steroid_injection",
        "performed_on": world.clinic.clock.now().date().isoformat(),
        "indication": "L-RAD",
    }
    return "POST", f"{API}/patients/{_patient(world, kind)}/procedures", body


def _prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    patients = {"own": clinic.own_patient, "foreign": clinic.foreign_patient}
    trial_ids = {kind: str(uuid.uuid4()) for kind in _KINDS}
    for kind in _KINDS:
        _trial_in(clinic, patients[kind], trial_ids[kind], "planned")
    pumps = {
        kind: _implant_synchromed(clinic, patients[kind], _mri_serial(kind)) for kind in _KINDS
    }
    plan_ids = {kind: str(uuid.uuid4()) for kind in _KINDS}
    for kind in _KINDS:
        _plan_in(clinic, pumps[kind], plan_ids[kind], "planned")
    # "pump_id" templates /pumps/{pump_id}/...; the device part may name its own pump instead
    return {"trial_id": trial_ids, "plan_id": plan_ids, "pump_id": pumps}


_NURSE = (
    "trial.list", "trial.read", "trial.observe", "trial.discharge", "trial.evaluation",
    "mri.plan", "mri.read", "mri.empty", "mri.scan",
    "assessment.list", "assessment.record", "procedure.list", "procedure.record",
)  # fmt: skip
_PHYSICIAN_ONLY = (
    "trial.plan", "trial.administer", "trial.decide", "implant.record", "mri.clear",
)  # fmt: skip

PART = MatrixPart(
    endpoints={
        "trial.list": (
            "object",
            lambda w, k: ("GET", f"{API}/patients/{_patient(w, k)}/trials", None),
        ),
        "trial.plan": (
            "object",
            lambda w, k: ("POST", f"{API}/patients/{_patient(w, k)}/trials", _TRIAL_PLAN),
        ),
        "trial.read": (
            "object",
            lambda w, k: ("GET", f"{API}/trials/{w.ids['trial_id'][k]}", None),
        ),
        "trial.administer": (
            "object",
            _trial("planned", "POST", "/administration", versioned=True),
        ),
        "trial.observe": (
            "object",
            _trial("administered", "POST", "/observations", {"pain_nrs": 4}),
        ),
        "trial.discharge": ("object", _trial("administered", "POST", "/discharge", versioned=True)),
        "trial.evaluation": ("object", _trial("administered", "GET", "/evaluation")),
        "trial.decide": (
            "object",
            _trial(
                "discharged",
                "POST",
                "/decision",
                {"decision": "no-implant", "rationale": "matrix"},
                versioned=True,
            ),
        ),
        "implant.record": ("object", _implant),
        "mri.plan": ("object", _plan_mri),
        "mri.read": (
            "object",
            lambda w, k: ("GET", f"{API}/mri-plans/{w.ids['plan_id'][k]}", None),
        ),
        "mri.empty": ("object", _mri("planned", "/emptying", emptying=True)),
        "mri.clear": ("object", _mri("planned", "/clearance")),
        "mri.scan": ("object", _mri("cleared", "/scan")),
        "assessment.list": (
            "object",
            lambda w, k: ("GET", f"{API}/patients/{_patient(w, k)}/assessments", None),
        ),
        "assessment.record": ("object", _assessment),
        "procedure.list": (
            "object",
            lambda w, k: ("GET", f"{API}/patients/{_patient(w, k)}/procedures", None),
        ),
        "procedure.record": ("object", _procedure),
    },
    expected={
        "physician": dict.fromkeys((*_NURSE, *_PHYSICIAN_ONLY), "any"),
        "nurse": dict.fromkeys(_NURSE, "any"),
        "patient": dict.fromkeys(("assessment.list", "assessment.record", "procedure.list"), "own"),
    },
    prepare=_prepare,
)
