"""The intrathecal trial: plan, dose, observation, discharge gate, evaluation and decision.

::

    PLANNED ─administer─▶ ADMINISTERED ─observe (any number)─┐
       │                      ▲─────────────────────────────┘
       │                      └─discharge (observation period elapsed)─▶ DISCHARGED ─decide─▶ DECIDED
       └─cancel─▶ CANCELLED

* The observation period is clinic policy, passed in with the plan: IT morphine label ≥ 24 h (S4)
  vs PACC ≥ 6 h (S5) [D]; ITB screening 4–8 h (S16, S37). Discharge before it has elapsed, without
  any observation recorded, or while the latest sedation score is POSS 3 or 4, is refused
  (clinical.md §11 rule 4).
* Success by drug (clinical.md §3.2, §11 rule 5): opioids and other pain drugs ≥ 50 % pain reduction
  from baseline without intolerable side effects (S42), plus functional gain where function was
  scored (S40); ziconotide ≥ 30 % on two occasions (S21); baclofen ≥ 2-point improvement on the
  Ashworth or spasm-frequency scale lasting ~4 h (S40).
* Pain reduction is read at the best (lowest) NRS after the dose unless a read-out time is chosen
  (clinical.md §3.2: hourly scores to 6–8 h, final read-out at the expected peak).
* Sedation uses the Pasero Opioid-induced Sedation Scale (POSS: S, 1–4; Pasero 2009, not among the
  retrieved sources [U]); 3 = frequently drowsy, drifts off mid-conversation, 4 = somnolent — both
  mean the patient is not fit to leave.
* Only a physician plans, administers and decides (architecture.md §1); nurses record observations
  and discharge. An ``implant`` decision needs a successful evaluation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.drugs import Drug, DrugClass
from thecal.domain.errors import Conflict, ValueOutOfRange
from thecal.domain.units import Duration, Mass
from thecal.domain.users import Actor, Role

__all__ = [
    "ObservationPeriodNotElapsed",
    "PatientTooSedated",
    "Sedation",
    "SuccessCriterion",
    "Trial",
    "TrialBaseline",
    "TrialDecision",
    "TrialEvaluation",
    "TrialNotEvaluable",
    "TrialNotSuccessful",
    "TrialObservation",
    "TrialPlan",
    "TrialRoute",
    "TrialState",
    "TrialStateError",
    "Vitals",
    "criterion_for",
    "spinal_level",
]

_HUNDRED = Decimal(100)
_LEVEL = r"(C[1-7]|T(1[0-2]|[1-9])|L[1-5]|S[1-5])"
_LEVEL_RE = re.compile(rf"{_LEVEL}(-{_LEVEL})?")


class TrialStateError(IllegalTransition):
    code = "THC-PATH-030"


class ObservationPeriodNotElapsed(Conflict):
    code = "THC-PATH-031"
    template = "discharge at {at} is {elapsed} after the dose; the observation period is {period} ({source}): {remaining} still to go"


class PatientTooSedated(Conflict):
    code = "THC-PATH-032"
    template = "{detail}"


class TrialNotEvaluable(Conflict):
    code = "THC-PATH-033"
    template = "trial {ident} cannot be evaluated: {detail}"


class TrialNotSuccessful(Conflict):
    code = "THC-PATH-034"
    template = (
        "trial {ident} did not meet its success criterion ({criterion}): {detail}; implant refused"
    )


def spinal_level(text: str) -> str:
    """Validate a vertebral level or interspace such as ``"T10"`` or ``"L3-L4"``."""
    value = text.strip().upper()
    if not _LEVEL_RE.fullmatch(value):
        raise ValueOutOfRange(
            name="spinal level",
            expected="a level like T10 or an interspace like L3-L4",
            value=repr(text),
        )
    return value


def _in_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValueOutOfRange(name=name, expected=f"{low}–{high}", value=value)


# ----------------------------------------------------------------------------- values


class TrialRoute(StrEnum):
    IT_BOLUS = "it-bolus"  # single intrathecal injection (S38)
    IT_CONTINUOUS = "it-continuous"  # infusion through a temporary catheter (S38)


class Sedation(StrEnum):
    """Pasero Opioid-induced Sedation Scale (POSS) [U]."""

    SLEEPING = "S"  # sleeping, easily aroused
    AWAKE = "1"  # awake and alert
    SLIGHTLY_DROWSY = "2"  # slightly drowsy, easily aroused
    FREQUENTLY_DROWSY = "3"  # frequently drowsy, arousable, drifts off during conversation
    SOMNOLENT = "4"  # somnolent, minimal or no response

    @property
    def unacceptable(self) -> bool:
        return self in (Sedation.FREQUENTLY_DROWSY, Sedation.SOMNOLENT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vitals:
    """Respiratory rate (/min), SpO2 (%), heart rate (/min), systolic BP (mmHg): physical ranges only."""

    respiratory_rate: int
    spo2_pct: int
    heart_rate: int
    systolic_bp: int

    def __post_init__(self) -> None:
        _in_range("respiratory rate", self.respiratory_rate, 0, 80)
        _in_range("SpO2", self.spo2_pct, 0, 100)
        _in_range("heart rate", self.heart_rate, 0, 300)
        _in_range("systolic BP", self.systolic_bp, 0, 300)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialBaseline:
    """Scores before the dose: NRS pain 0–10, optional function score (0–100, higher is better),
    Ashworth 0–4 and spasm frequency 0–4 (Penn) for baclofen screening."""

    at: dt.datetime
    pain_nrs: int | None = None
    function_score: int | None = None
    ashworth: int | None = None
    spasm_frequency: int | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, name="baseline time")
        _in_range("NRS pain", self.pain_nrs, 0, 10)
        _in_range("function score", self.function_score, 0, 100)
        _in_range("Ashworth", self.ashworth, 0, 4)
        _in_range("spasm frequency", self.spasm_frequency, 0, 4)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialObservation:
    """One time point after the dose."""

    at: dt.datetime
    pain_nrs: int | None = None
    function_score: int | None = None
    function_note: str = ""
    vitals: Vitals | None = None
    sedation: Sedation | None = None
    ashworth: int | None = None
    spasm_frequency: int | None = None
    side_effects: tuple[str, ...] = ()
    intolerable: bool = False  # the clinician judges the side effects intolerable

    def __post_init__(self) -> None:
        require_aware(self.at, name="observation time")
        _in_range("NRS pain", self.pain_nrs, 0, 10)
        _in_range("function score", self.function_score, 0, 100)
        _in_range("Ashworth", self.ashworth, 0, 4)
        _in_range("spasm frequency", self.spasm_frequency, 0, 4)
        if self.intolerable and not self.side_effects:
            raise ValueOutOfRange(
                name="intolerable side effects", expected="named", value="none listed"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialPlan:
    """What will be given, how, where, and how long the patient is watched."""

    drug_id: str
    drug_class: DrugClass
    dose: Mass
    route: TrialRoute
    spinal_level: str
    observation_period: Duration
    observation_source: str = "S4"

    def __post_init__(self) -> None:
        if self.dose.value <= 0:
            raise ValueOutOfRange(name="trial dose", expected="> 0", value=self.dose)
        if self.observation_period.value <= 0:
            raise ValueOutOfRange(
                name="observation period", expected="> 0", value=self.observation_period
            )
        object.__setattr__(self, "spinal_level", spinal_level(self.spinal_level))

    @classmethod
    def for_drug(
        cls,
        drug: Drug,
        *,
        dose: Mass,
        route: TrialRoute,
        level: str,
        observation_period: Duration,
        observation_source: str = "S4",
    ) -> TrialPlan:
        return cls(
            drug_id=drug.id,
            drug_class=drug.drug_class,
            dose=dose,
            route=route,
            spinal_level=level,
            observation_period=observation_period,
            observation_source=observation_source,
        )


class CriterionKind(StrEnum):
    PAIN_REDUCTION = "pain-reduction"
    SPASTICITY_POINTS = "spasticity-points"


@dataclass(frozen=True, slots=True, kw_only=True)
class SuccessCriterion:
    kind: CriterionKind
    threshold: Decimal  # % pain reduction, or points of Ashworth / spasm-frequency improvement
    occasions: int
    sustained: Duration | None
    source: str

    def describe(self) -> str:
        if self.kind is CriterionKind.PAIN_REDUCTION:
            text = f"≥ {self.threshold} % pain reduction"
        else:
            text = f"≥ {self.threshold}-point Ashworth or spasm-frequency improvement"
        if self.sustained is not None:
            text += f" lasting {self.sustained}"
        if self.occasions > 1:
            text += f" on {self.occasions} occasions"
        return f"{text} ({self.source})"


def criterion_for(plan: TrialPlan) -> SuccessCriterion:
    """The success criterion for the trial drug (clinical.md §3.2, §11 rule 5)."""
    if plan.drug_class is DrugClass.GABA_B_AGONIST:
        return SuccessCriterion(
            kind=CriterionKind.SPASTICITY_POINTS,
            threshold=Decimal(2),
            occasions=1,
            sustained=Duration.hours(4),
            source="S40",
        )
    if plan.drug_class is DrugClass.CALCIUM_CHANNEL_BLOCKER:
        return SuccessCriterion(
            kind=CriterionKind.PAIN_REDUCTION,
            threshold=Decimal(30),
            occasions=2,
            sustained=None,
            source="S21",
        )
    return SuccessCriterion(
        kind=CriterionKind.PAIN_REDUCTION,
        threshold=Decimal(50),
        occasions=1,
        sustained=None,
        source="S42",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialEvaluation:
    """The trial's result against its criterion; ``reasons`` says why it failed, if it did."""

    criterion: SuccessCriterion
    readout_at: dt.datetime | None
    pain_reduction_pct: Decimal | None
    function_change: int | None
    spasticity_improvement: int | None
    sustained_for: Duration | None
    intolerable_side_effects: tuple[str, ...]
    met_this_occasion: bool
    successful_occasions: int
    success: bool
    reasons: tuple[str, ...]


class TrialDecision(StrEnum):
    IMPLANT = "implant"
    NO_IMPLANT = "no-implant"
    REPEAT_TRIAL = "repeat-trial"


class TrialState(StrEnum):
    PLANNED = "planned"
    ADMINISTERED = "administered"
    DISCHARGED = "discharged"
    DECIDED = "decided"
    CANCELLED = "cancelled"


_T = TrialState


# ----------------------------------------------------------------------------- the aggregate


class Trial(StateMachine[TrialState]):
    """One intrathecal trial (identity: ``trial_id``)."""

    _kind = "trial"
    _error = TrialStateError

    @property
    def _ident(self) -> str:
        return self.trial_id

    def __init__(
        self,
        *,
        trial_id: str,
        patient_id: str,
        plan: TrialPlan,
        baseline: TrialBaseline,
        planned_by: Actor,
        planned_at: dt.datetime,
    ) -> None:
        require_role(planned_by, {Role.PHYSICIAN}, action="plan a trial")
        require_aware(planned_at, name="planning time")
        self.trial_id = require_text(trial_id, name="trial id")
        self.patient_id = require_text(patient_id, name="patient id")
        self.plan, self.baseline = plan, baseline
        self.criterion = criterion_for(plan)
        self.state = _T.PLANNED
        self.version = 1
        self.administered_at: dt.datetime | None = None
        self.observations: tuple[TrialObservation, ...] = ()
        self.discharged_at: dt.datetime | None = None
        self.decision: TrialDecision | None = None
        self.decision_rationale: str | None = None
        self.evaluation: TrialEvaluation | None = None
        self.history: list[Transition] = [
            Transition(
                action="plan",
                from_state="",
                to_state=_T.PLANNED.value,
                user_id=planned_by.user_id,
                at=planned_at,
                version=1,
            )
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trial) and other.trial_id == self.trial_id

    def __hash__(self) -> int:
        return hash(self.trial_id)

    # ------------------------------------------------------------------------- commands

    def administer(self, *, actor: Actor, at: dt.datetime) -> None:
        """Record the time the physician gave the trial dose (or started the infusion)."""
        action = "administer the trial dose"
        self._expect(action, at, _T.PLANNED)
        require_role(actor, {Role.PHYSICIAN}, action=action)
        if at < self.baseline.at:
            raise ValueOutOfRange(
                name="administration time",
                expected=f"after the baseline at {self.baseline.at.isoformat()}",
                value=at.isoformat(),
            )
        self.administered_at = at
        self._move("administer", _T.ADMINISTERED, actor.user_id, at)

    def observe(self, *, actor: Actor, observation: TrialObservation) -> None:
        """Add a time point (stays ``ADMINISTERED``; the version still increases)."""
        action = "record a trial observation"
        self._expect(action, observation.at, _T.ADMINISTERED)
        require_role(actor, CLINICIANS, action=action)
        self.observations = (*self.observations, observation)
        self._move("observe", _T.ADMINISTERED, actor.user_id, observation.at)

    def discharge(self, *, actor: Actor, at: dt.datetime) -> None:
        """Discharge after the observation period.

        Raises:
            ObservationPeriodNotElapsed: earlier than dose time + the plan's observation period.
            PatientTooSedated: no observation recorded, or the latest shows POSS 3 or 4.
        """
        action = "discharge the patient"
        self._expect(action, at, _T.ADMINISTERED)
        require_role(actor, CLINICIANS, action=action)
        start = self.administered_at or at
        elapsed, period = at - start, self.plan.observation_period.to_timedelta()
        if elapsed < period:
            raise ObservationPeriodNotElapsed(
                at=at.isoformat(),
                elapsed=Duration.from_timedelta(elapsed),
                period=self.plan.observation_period,
                source=self.plan.observation_source,
                remaining=Duration.from_timedelta(period - elapsed),
            )
        if not self.observations:
            raise PatientTooSedated(
                detail="no observation recorded after the dose: a monitoring record is required (clinical.md §11 rule 4)"
            )
        latest = self.observations[-1].sedation
        if latest is not None and latest.unacceptable:
            raise PatientTooSedated(
                detail=f"latest sedation score is POSS {latest.value}: not fit for discharge"
            )
        self.discharged_at = at
        self._move("discharge", _T.DISCHARGED, actor.user_id, at)

    def decide(
        self,
        *,
        actor: Actor,
        at: dt.datetime,
        decision: TrialDecision,
        rationale: str,
        readout_at: dt.datetime | None = None,
        prior_successful_occasions: int = 0,
    ) -> TrialEvaluation:
        """The physician's decision, with the evaluation it rests on.

        Raises:
            TrialNotSuccessful: ``IMPLANT`` without a successful evaluation (clinical.md §11 rule 5).
        """
        action = "decide on the trial"
        self._expect(action, at, _T.DISCHARGED)
        require_role(actor, {Role.PHYSICIAN}, action=action)
        evaluation = self.evaluate(
            readout_at=readout_at, prior_successful_occasions=prior_successful_occasions
        )
        if decision is TrialDecision.IMPLANT and not evaluation.success:
            raise TrialNotSuccessful(
                ident=self.trial_id,
                criterion=self.criterion.describe(),
                detail="; ".join(evaluation.reasons),
            )
        self.decision, self.evaluation = decision, evaluation
        self.decision_rationale = require_text(rationale, name="decision rationale")
        self._move(f"decide ({decision.value})", _T.DECIDED, actor.user_id, at)
        return evaluation

    def cancel(self, *, actor: Actor, at: dt.datetime, reason: str) -> None:
        action = "cancel the trial"
        self._expect(action, at, _T.PLANNED)
        require_role(actor, CLINICIANS, action=action)
        require_text(reason, name="cancellation reason")
        self._move("cancel", _T.CANCELLED, actor.user_id, at)

    # ------------------------------------------------------------------------- evaluation

    def evaluate(
        self, *, readout_at: dt.datetime | None = None, prior_successful_occasions: int = 0
    ) -> TrialEvaluation:
        """Evaluate the observations so far against the drug's criterion (no state change).

        Args:
            readout_at: the observation to read pain at; None reads the best (lowest) NRS.
            prior_successful_occasions: earlier successful trial occasions (ziconotide needs two, S21).

        Raises:
            TrialNotEvaluable: no baseline/observation data for the criterion, or no observation at
                ``readout_at``.
        """
        intolerable = tuple(
            effect for o in self.observations if o.intolerable for effect in o.side_effects
        )
        if self.criterion.kind is CriterionKind.SPASTICITY_POINTS:
            return self._evaluate_spasticity(intolerable, prior_successful_occasions)
        return self._evaluate_pain(readout_at, intolerable, prior_successful_occasions)

    def _evaluate_pain(
        self, readout_at: dt.datetime | None, intolerable: tuple[str, ...], prior: int
    ) -> TrialEvaluation:
        baseline = self.baseline.pain_nrs
        scored = [o for o in self.observations if o.pain_nrs is not None]
        if not baseline:
            raise TrialNotEvaluable(
                ident=self.trial_id, detail="baseline NRS pain must be recorded and above 0"
            )
        if readout_at is None:
            if not scored:
                raise TrialNotEvaluable(ident=self.trial_id, detail="no pain score after the dose")
            readout = min(scored, key=lambda o: (o.pain_nrs, o.at))
        else:
            found = [o for o in scored if o.at == readout_at]
            if not found:
                raise TrialNotEvaluable(
                    ident=self.trial_id, detail=f"no pain score at {readout_at.isoformat()}"
                )
            readout = found[0]
        pain = readout.pain_nrs or 0
        reduction = Decimal(baseline - pain) / Decimal(baseline) * _HUNDRED
        function_change = None
        if self.baseline.function_score is not None and readout.function_score is not None:
            function_change = readout.function_score - self.baseline.function_score
        reasons: list[str] = []
        met = reduction >= self.criterion.threshold
        if not met:
            reasons.append(f"pain reduction {reduction:.1f} % < {self.criterion.threshold} %")
        if function_change is not None and function_change <= 0:
            reasons.append(f"no functional gain ({function_change:+d})")
        functional = function_change is None or function_change > 0
        return self._result(
            readout_at=readout.at,
            reduction=reduction,
            function_change=function_change,
            spasticity=None,
            sustained=None,
            intolerable=intolerable,
            met=met and functional,
            prior=prior,
            reasons=reasons,
        )

    def _evaluate_spasticity(self, intolerable: tuple[str, ...], prior: int) -> TrialEvaluation:
        def improvement(o: TrialObservation) -> int | None:
            gains = [
                base - now
                for base, now in (
                    (self.baseline.ashworth, o.ashworth),
                    (self.baseline.spasm_frequency, o.spasm_frequency),
                )
                if base is not None and now is not None
            ]
            return max(gains) if gains else None

        scored = [(o, improvement(o)) for o in sorted(self.observations, key=lambda o: o.at)]
        scored = [(o, gain) for o, gain in scored if gain is not None]
        if not scored:
            raise TrialNotEvaluable(
                ident=self.trial_id,
                detail="no Ashworth or spasm-frequency score at baseline and after the dose",
            )
        best = max(gain for _, gain in scored if gain is not None)
        longest, run_start = dt.timedelta(0), None
        for o, gain in scored:
            if gain is not None and gain >= self.criterion.threshold:
                run_start = run_start or o.at
                longest = max(longest, o.at - run_start)
            else:
                run_start = None
        sustained = Duration.from_timedelta(longest)
        needed = self.criterion.sustained or Duration.seconds(0)
        met = best >= self.criterion.threshold and sustained >= needed
        reasons = (
            []
            if met
            else [
                f"best improvement {best} point(s), sustained {sustained} (needs {self.criterion.describe()})"
            ]
        )
        return self._result(
            readout_at=None,
            reduction=None,
            function_change=None,
            spasticity=best,
            sustained=sustained,
            intolerable=intolerable,
            met=met,
            prior=prior,
            reasons=reasons,
        )

    def _result(
        self,
        *,
        readout_at: dt.datetime | None,
        reduction: Decimal | None,
        function_change: int | None,
        spasticity: int | None,
        sustained: Duration | None,
        intolerable: tuple[str, ...],
        met: bool,
        prior: int,
        reasons: list[str],
    ) -> TrialEvaluation:
        if intolerable:
            reasons.append(f"intolerable side effects: {', '.join(intolerable)}")
        met_now = met and not intolerable
        occasions = prior + (1 if met_now else 0)
        if met_now and occasions < self.criterion.occasions:
            reasons.append(
                f"{occasions} of {self.criterion.occasions} successful occasions ({self.criterion.source})"
            )
        return TrialEvaluation(
            criterion=self.criterion,
            readout_at=readout_at,
            pain_reduction_pct=reduction,
            function_change=function_change,
            spasticity_improvement=spasticity,
            sustained_for=sustained,
            intolerable_side_effects=intolerable,
            met_this_occasion=met_now,
            successful_occasions=occasions,
            success=met_now and occasions >= self.criterion.occasions,
            reasons=tuple(reasons),
        )

    # ------------------------------------------------------------------------- internals
