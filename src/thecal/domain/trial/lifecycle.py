"""The trial's lifecycle: the ``Trial`` aggregate, its states and the physician's decision.

::

    PLANNED ─administer─▶ ADMINISTERED ─observe (any number)─┐
       │                      ▲─────────────────────────────┘
       │                      └─discharge (observation period elapsed)─▶ DISCHARGED ─decide─▶ DECIDED
       └─cancel─▶ CANCELLED

Only a physician plans, administers and decides (architecture.md §1); nurses record observations
and discharge. Discharge follows :mod:`.discharge`; an ``implant`` decision needs a successful
evaluation (:mod:`.evaluation`, clinical.md §11 rule 5).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.drugs import DrugClass
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.policy import ClinicPolicy
from thecal.domain.trial.criterion import criterion_for
from thecal.domain.trial.discharge import check_discharge
from thecal.domain.trial.errors import TrialNotSuccessful, TrialStateError
from thecal.domain.trial.evaluation import TrialEvaluation, evaluate_trial
from thecal.domain.trial.observation import TrialBaseline, TrialObservation
from thecal.domain.trial.plan import TrialPlan
from thecal.domain.trial.vital_signs import VitalSignAlert, VitalSignLimits, alerts_in
from thecal.domain.users import Actor, Role

__all__ = ["Trial", "TrialDecision", "TrialState"]


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
            Transition.first(
                action="plan", to_state=_T.PLANNED.value, user_id=planned_by.user_id, at=planned_at
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

    @property
    def opioid(self) -> bool:
        """An opioid trial: respiratory alerts carry the naloxone prompt (S99)."""
        return self.plan.drug_class is DrugClass.OPIOID

    def alerts(
        self, limits: VitalSignLimits
    ) -> tuple[tuple[TrialObservation, tuple[VitalSignAlert, ...]], ...]:
        """Every observation that breaches an alert limit, with its alerts, oldest first."""
        found = ((o, alerts_in(o, limits, opioid=self.opioid)) for o in self.observations)
        return tuple((o, alerts) for o, alerts in found if alerts)

    def discharge(
        self, *, actor: Actor, at: dt.datetime, limits: VitalSignLimits | None = None
    ) -> None:
        """Discharge after the observation period, with a latest observation fit to leave.

        Args:
            limits: the clinic's vital-sign alert limits (default: the default clinic policy).

        Raises:
            ObservationPeriodNotElapsed: earlier than dose time + the plan's observation period.
            PatientTooSedated: no observation, no sedation score in the latest, or POSS 3 or 4.
            VitalSignsNotSafe: the latest breaches an alert limit, or lacks the vital signs
                after an opioid or an earlier alert.
        """
        action = "discharge the patient"
        self._expect(action, at, _T.ADMINISTERED)
        require_role(actor, CLINICIANS, action=action)
        check_discharge(
            plan=self.plan,
            administered_at=self.administered_at,
            observations=self.observations,
            at=at,
            limits=limits or VitalSignLimits.from_policy(ClinicPolicy()),
            opioid=self.opioid,
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
        return evaluate_trial(
            self, readout_at=readout_at, prior_successful_occasions=prior_successful_occasions
        )
