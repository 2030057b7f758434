"""The intrathecal trial: plan (safety-reviewed) → administer → observe → discharge (gated by the
clinic's observation period) → evaluate → physician decision (``domain/trial.py``).

Each function is one transaction: authorization first, the aggregate's own rules, an audit entry,
commit. Rules kept here:

* plan: the trial dose is reviewed by the safety review with action ``trial`` (ITS-TRIAL-001: the
  dose against the library's trial range). A ``block`` finding raises before anything is stored;
  an ``override`` finding needs a written justification from the planning physician
  (:class:`TrialOverrideMissing` otherwise). The observation period comes from the clinic policy:
  ``trial_observation`` (label 24 h, S4, vs PACC 6 h, S5) or ``baclofen_screening_observation``
  (S16, S37) for baclofen — the same choice the review's ITS-TRIAL-002 makes;
* observe: a vital sign beyond the clinic's alert limits (respiratory rate, SpO2, sedation,
  systolic BP, heart rate: ``domain/trial/vital_signs.py``) raises an urgent worklist task
  (``trial-vital-sign-alert``) with the naloxone prompt after an opioid (S39, S99);
* discharge: refused before the observation period has elapsed (``ObservationPeriodNotElapsed``,
  THC-PATH-031), without an observation or a sedation score, while the latest sedation is POSS
  3–4, or while the latest vital signs breach a limit or are missing after an opioid or an earlier
  alert (``VitalSignsNotSafe``, THC-PATH-035);
* decide: an ``implant`` decision needs a successful evaluation (``TrialNotSuccessful``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.date_plausibility import (
    RECORDED_INSTANT,
    TRIAL_READOUT,
    check_instant,
)
from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.patient import PatientNotFound
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program_change import FindingSeverity, FindingSummary, OverrideJustification
from thecal.domain.safety.context import ActionKind, Proposal, ReviewContext, TrialDose
from thecal.domain.safety.rules.trial import observation_for
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.trial import (
    Trial,
    TrialBaseline,
    TrialDecision,
    TrialEvaluation,
    TrialObservation,
    TrialPlan,
    TrialRoute,
    VitalSignAlert,
    VitalSignLimits,
    alerts_in,
)
from thecal.domain.trial.vital_signs import NALOXONE_PROMPT
from thecal.domain.units import Mass
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.repositories.tasks import StoredTask
from thecal.services.review_context import patient_facts, proposer
from thecal.services.safety_gate import review_or_block
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "AdministerTrial",
    "DecideTrial",
    "DischargeTrial",
    "EvaluateTrial",
    "GetTrial",
    "ListTrials",
    "ObserveTrial",
    "PlanTrial",
    "PlannedTrial",
    "TrialNotFound",
    "TrialOverrideMissing",
    "administer_trial",
    "decide_trial",
    "discharge_trial",
    "evaluate_trial",
    "get_trial",
    "list_trials",
    "observe_trial",
    "plan_trial",
]


class TrialNotFound(NotFound):
    code = "THC-TRIAL-001"
    template = "trial {ident} not found"


class TrialOverrideMissing(RequestInvalid):
    code = "THC-TRIAL-002"
    template = "the trial plan needs a written override for {codes}: {summary}"

    #: The ``override`` findings still without a justification (edges list them by code).
    findings: tuple[FindingSummary, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanTrial:
    actor: Actor
    patient_id: str
    drug_id: str
    dose: Mass
    route: TrialRoute
    spinal_level: str
    baseline: TrialBaseline
    overrides: tuple[OverrideJustification, ...] = ()
    trial_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedTrial:
    trial: Trial
    findings: tuple[FindingSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdministerTrial:
    actor: Actor
    trial_id: str
    expected_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ObserveTrial:
    actor: Actor
    trial_id: str
    observation: TrialObservation  # its ``at`` may not lie in the future


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeTrial:
    actor: Actor
    trial_id: str
    expected_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluateTrial:
    actor: Actor
    trial_id: str
    readout_at: dt.datetime | None = None
    prior_successful_occasions: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class DecideTrial:
    actor: Actor
    trial_id: str
    expected_version: int
    decision: TrialDecision
    rationale: str
    readout_at: dt.datetime | None = None
    prior_successful_occasions: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GetTrial:
    actor: Actor
    trial_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTrials:
    actor: Actor
    patient_id: str


def _summary(trial: Trial) -> dict[str, object]:
    plan = trial.plan
    return {
        "trial_id": trial.trial_id,
        "state": trial.state.value,
        "version": trial.version,
        "drug": plan.drug_id,
        "dose": str(plan.dose),
        "route": plan.route.value,
        "level": plan.spinal_level,
        "observation_period": str(plan.observation_period),
        "observation_source": plan.observation_source,
    }


def _load(uow: AbstractUnitOfWork, actor: Actor, action: Action, trial_id: str) -> Trial:
    trial = uow.trials.get_trial(trial_id)
    if trial is None:
        raise TrialNotFound(ident=trial_id)
    authorize(actor, action, Subject.patient(trial.patient_id))
    return trial


def _check_version(trial: Trial, expected: int) -> None:
    if trial.version != expected:
        raise RequestInvalid(
            where="expected_version",
            detail=f"trial {trial.trial_id} is at version {trial.version}, not {expected}: reload",
        )


def _record(
    uow: AbstractUnitOfWork,
    actor: Actor,
    action: Action,
    trial: Trial,
    at: dt.datetime,
    **details: object,
) -> None:
    uow.audit.record(
        actor=actor,
        action=action,
        subject=Subject.patient(trial.patient_id),
        at=at,
        details={**_summary(trial), **details},
    )


def plan_trial(
    cmd: PlanTrial, *, uow: AbstractUnitOfWork, clock: Clock, policy: ClinicPolicy | None = None
) -> PlannedTrial:
    """Plan a trial after the safety review of its dose.

    Raises:
        AccessDenied; PatientNotFound; UnknownReference (drug); ReviewBlocked (nothing stored);
        TrialOverrideMissing; ValueOutOfRange (dose, level).
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.TRIAL_PLAN, subject)
    chosen = policy or ClinicPolicy()
    drug = reference_library().drug(cmd.drug_id)
    period, source = observation_for(drug.id, chosen)
    now = clock.now()
    check_instant("baseline time", cmd.baseline.at, RECORDED_INSTANT, now=now)
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        plan = TrialPlan.for_drug(
            drug,
            dose=cmd.dose,
            route=cmd.route,
            level=cmd.spinal_level,
            observation_period=period,
            observation_source=source,
        )
        context = ReviewContext(
            action=ActionKind.TRIAL,
            at=now,
            proposer=proposer(cmd.actor),
            patient=patient_facts(uow, cmd.patient_id, now),
            pump=None,
            current=None,
            proposal=Proposal(trial=TrialDose(drug=drug.id, dose=cmd.dose)),
        )
        findings = review_or_block(context, action="the trial plan", policy=chosen)
        justified = {o.finding_code for o in cmd.overrides}
        missing = [
            f
            for f in findings
            if f.severity is FindingSeverity.OVERRIDE and f.code not in justified
        ]
        if missing:
            refused = TrialOverrideMissing(
                codes=", ".join(f.code for f in missing),
                summary="; ".join(f.message for f in missing),
            )
            refused.findings = tuple(missing)
            raise refused
        trial = Trial(
            trial_id=cmd.trial_id or str(uuid.uuid4()),
            patient_id=cmd.patient_id,
            plan=plan,
            baseline=cmd.baseline,
            planned_by=cmd.actor,
            planned_at=now,
        )
        uow.trials.add_planned(trial, findings=findings)
        _record(
            uow,
            cmd.actor,
            Action.TRIAL_PLAN,
            trial,
            now,
            findings=[f"{f.code} {f.severity.value}" for f in findings],
            overrides=[f"{o.finding_code}: {o.reason.value}: {o.text}" for o in cmd.overrides],
            baseline_pain_nrs=cmd.baseline.pain_nrs,
        )
        uow.commit()
    return PlannedTrial(trial=trial, findings=findings)


def administer_trial(cmd: AdministerTrial, *, uow: AbstractUnitOfWork, clock: Clock) -> Trial:
    """Record that the physician gave the trial dose now (the observation period starts)."""
    authorize_function(cmd.actor, Action.TRIAL_ADMINISTER)
    now = clock.now()
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_ADMINISTER, cmd.trial_id)
        _check_version(trial, cmd.expected_version)
        trial.administer(actor=cmd.actor, at=now)
        uow.trials.update(trial)
        _record(
            uow, cmd.actor, Action.TRIAL_ADMINISTER, trial, now, administered_at=now.isoformat()
        )
        uow.commit()
    return trial


def _alert_task(
    trial: Trial, observation: TrialObservation, alerts: Sequence[VitalSignAlert]
) -> Task:
    """The urgent worklist task for an observation that breaches an alert limit."""
    naloxone = any(a.naloxone for a in alerts)
    signs = "; ".join(f"{a.sign.value} {a.observed} ({a.limit}, {a.source})" for a in alerts)
    return Task(
        kind=TaskKind.TRIAL_VITAL_SIGN_ALERT,
        subject=trial.patient_id,
        origin=trial.trial_id,
        due=observation.at,
        reason=(
            f"{trial.plan.drug_id} trial, observation at {observation.at:%H:%M} UTC: {signs}"
            + (f" — {NALOXONE_PROMPT}" if naloxone else "")
            + "; discharge is blocked until the vital signs are within the limits"
        ),
        source="S39, S99" if naloxone else "S39; clinic policy",
        priority=TaskPriority.URGENT,
    )


def observe_trial(
    cmd: ObserveTrial,
    *,
    uow: AbstractUnitOfWork,
    clock: Clock,
    policy: ClinicPolicy | None = None,
) -> Trial:
    """Add one time point (pain, function, vitals, sedation, side effects) after the dose; a
    vital sign beyond the clinic's alert limits raises an urgent worklist task with the naloxone
    prompt after an opioid (S39, S99)."""
    authorize_function(cmd.actor, Action.TRIAL_OBSERVE)
    limits = VitalSignLimits.from_policy(policy or ClinicPolicy())
    now = clock.now()
    obs = cmd.observation
    if obs.at > now:
        raise RequestInvalid(
            where="observation time", detail=f"{obs.at.isoformat()} is in the future"
        )
    check_instant("observation time", obs.at, RECORDED_INSTANT, now=now)
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_OBSERVE, cmd.trial_id)
        trial.observe(actor=cmd.actor, observation=obs)
        uow.trials.update(trial)
        alerts = alerts_in(obs, limits, opioid=trial.opioid)
        if alerts:
            uow.tasks.add(
                StoredTask(
                    id=str(uuid.uuid4()), task=_alert_task(trial, obs, alerts), created_at=now
                )
            )
        _record(
            uow,
            cmd.actor,
            Action.TRIAL_OBSERVE,
            trial,
            now,
            observed_at=obs.at.isoformat(),
            pain_nrs=obs.pain_nrs,
            function_score=obs.function_score,
            sedation=obs.sedation.value if obs.sedation else None,
            side_effects=list(obs.side_effects),
            intolerable=obs.intolerable,
            alerts=[a.describe() for a in alerts],
        )
        uow.commit()
    return trial


def discharge_trial(
    cmd: DischargeTrial,
    *,
    uow: AbstractUnitOfWork,
    clock: Clock,
    policy: ClinicPolicy | None = None,
) -> Trial:
    """Discharge the patient once the observation period has elapsed and the latest observation
    shows a patient fit to leave (clinical.md §11 rule 4).

    Raises:
        ObservationPeriodNotElapsed (THC-PATH-031); PatientTooSedated (THC-PATH-032: no sedation
        score or POSS 3–4); VitalSignsNotSafe (THC-PATH-035: an alert limit breached, or vital
        signs missing after an opioid or an earlier alert).
    """
    limits = VitalSignLimits.from_policy(policy or ClinicPolicy())
    authorize_function(cmd.actor, Action.TRIAL_DISCHARGE)
    now = clock.now()
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_DISCHARGE, cmd.trial_id)
        _check_version(trial, cmd.expected_version)
        trial.discharge(actor=cmd.actor, at=now, limits=limits)
        uow.trials.update(trial)
        _record(uow, cmd.actor, Action.TRIAL_DISCHARGE, trial, now, discharged_at=now.isoformat())
        uow.commit()
    return trial


def _check_readout(readout_at: dt.datetime | None, now: dt.datetime) -> None:
    """A read-out time asked for is plausible (issue 15 §5)."""
    if readout_at is not None:
        check_instant("readout_at", readout_at, TRIAL_READOUT, now=now)


def evaluate_trial(cmd: EvaluateTrial, *, uow: AbstractUnitOfWork, clock: Clock) -> TrialEvaluation:
    """The trial's observations against its success criterion, without changing it (a PHI read)."""
    authorize_function(cmd.actor, Action.TRIAL_READ)
    now = clock.now()
    _check_readout(cmd.readout_at, now)
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_READ, cmd.trial_id)
        evaluation = trial.evaluate(
            readout_at=cmd.readout_at, prior_successful_occasions=cmd.prior_successful_occasions
        )
        _record(
            uow,
            cmd.actor,
            Action.TRIAL_READ,
            trial,
            now,
            evaluation=evaluation.success,
            pain_reduction_pct=(
                None
                if evaluation.pain_reduction_pct is None
                else str(evaluation.pain_reduction_pct)
            ),
        )
        uow.commit()
    return evaluation


def decide_trial(cmd: DecideTrial, *, uow: AbstractUnitOfWork, clock: Clock) -> Trial:
    """The physician's decision (implant, no implant, repeat), with the evaluation it rests on.

    Raises:
        TrialNotSuccessful: ``implant`` without a successful evaluation (THC-PATH-034).
    """
    authorize_function(cmd.actor, Action.TRIAL_DECIDE)
    now = clock.now()
    _check_readout(cmd.readout_at, now)
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_DECIDE, cmd.trial_id)
        _check_version(trial, cmd.expected_version)
        evaluation = trial.decide(
            actor=cmd.actor,
            at=now,
            decision=cmd.decision,
            rationale=cmd.rationale,
            readout_at=cmd.readout_at,
            prior_successful_occasions=cmd.prior_successful_occasions,
        )
        uow.trials.update(trial)
        _record(
            uow,
            cmd.actor,
            Action.TRIAL_DECIDE,
            trial,
            now,
            decision=cmd.decision.value,
            rationale=trial.decision_rationale,
            success=evaluation.success,
            reasons=list(evaluation.reasons),
        )
        uow.commit()
    return trial


def get_trial(cmd: GetTrial, *, uow: AbstractUnitOfWork, clock: Clock) -> PlannedTrial:
    """One trial with its plan findings (an audited PHI read)."""
    authorize_function(cmd.actor, Action.TRIAL_READ)
    now = clock.now()
    with uow:
        trial = _load(uow, cmd.actor, Action.TRIAL_READ, cmd.trial_id)
        findings = uow.trials.findings_of(trial.trial_id)
        _record(uow, cmd.actor, Action.TRIAL_READ, trial, now)
        uow.commit()
    return PlannedTrial(trial=trial, findings=findings)


def list_trials(cmd: ListTrials, *, uow: AbstractUnitOfWork, clock: Clock) -> Sequence[Trial]:
    """A patient's trials, newest plan first (an audited PHI read)."""
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.TRIAL_READ, subject)
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        found = uow.trials.for_patient(cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.TRIAL_READ,
            subject=subject,
            at=clock.now(),
            details={"returned": [t.trial_id for t in found]},
        )
        uow.commit()
    return found
