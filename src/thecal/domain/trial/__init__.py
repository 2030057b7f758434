"""The intrathecal trial: plan, dose, observation, discharge gate, evaluation and decision.

::

    PLANNED ─administer─▶ ADMINISTERED ─observe (any number)─┐
       │                      ▲─────────────────────────────┘
       │                      └─discharge (observation period elapsed)─▶ DISCHARGED ─decide─▶ DECIDED
       └─cancel─▶ CANCELLED

* The observation period is clinic policy, passed in with the plan: IT morphine label ≥ 24 h (S4)
  vs PACC ≥ 6 h (S5) [D]; ITB screening 4–8 h (S16, S37). Discharge before it has elapsed, without
  any observation recorded, without a sedation score in the latest, while it shows POSS 3 or 4 or
  breaches a vital-sign alert limit (:mod:`.vital_signs`), or without vital signs after an opioid
  or an earlier alert, is refused (clinical.md §11 rule 4).
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

One concept per module: :mod:`.plan` (drug, dose, route, spinal level, observation period),
:mod:`.observation` (baseline, time points, vitals, POSS sedation), :mod:`.criterion` (success by
drug class), :mod:`.vital_signs` (alert limits and the naloxone prompt), :mod:`.evaluation` (observations against the criterion), :mod:`.discharge` (the
discharge rule), :mod:`.lifecycle` (the ``Trial`` aggregate and its decision) and :mod:`.errors`
(``THC-PATH-030``…``035``). Import the public names from this package.
"""

from __future__ import annotations

from thecal.domain.trial.criterion import SuccessCriterion, criterion_for
from thecal.domain.trial.errors import (
    ObservationPeriodNotElapsed,
    PatientTooSedated,
    TrialNotEvaluable,
    TrialNotSuccessful,
    TrialStateError,
    VitalSignsNotSafe,
)
from thecal.domain.trial.evaluation import TrialEvaluation
from thecal.domain.trial.lifecycle import Trial, TrialDecision, TrialState
from thecal.domain.trial.observation import Sedation, TrialBaseline, TrialObservation, Vitals
from thecal.domain.trial.plan import TrialPlan, TrialRoute, spinal_level
from thecal.domain.trial.vital_signs import (
    NALOXONE_PROMPT,
    VitalSign,
    VitalSignAlert,
    VitalSignLimits,
    alerts_in,
)

__all__ = [
    "NALOXONE_PROMPT",
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
    "VitalSign",
    "VitalSignAlert",
    "VitalSignLimits",
    "VitalSignsNotSafe",
    "Vitals",
    "alerts_in",
    "criterion_for",
    "spinal_level",
]
