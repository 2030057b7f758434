"""Errors of the intrathecal trial, each with its stable code::

Conflict (THC-FLOW-409)
├── IllegalTransition (THC-PATH-005)
│   └── TrialStateError               THC-PATH-030  the trial's state does not allow the action
├── ObservationPeriodNotElapsed       THC-PATH-031  discharge before dose time + observation period
├── PatientTooSedated                 THC-PATH-032  no observation, no sedation score, or POSS 3–4
├── VitalSignsNotSafe                 THC-PATH-035  latest vital signs breach an alert limit, are
│                                                   missing after an opioid or an earlier alert
├── TrialNotEvaluable                 THC-PATH-033  no data for the success criterion
└── TrialNotSuccessful                THC-PATH-034  implant decided without a successful evaluation
"""

from __future__ import annotations

from thecal.domain.actors import IllegalTransition
from thecal.domain.errors import Conflict

__all__ = [
    "ObservationPeriodNotElapsed",
    "PatientTooSedated",
    "TrialNotEvaluable",
    "TrialNotSuccessful",
    "TrialStateError",
    "VitalSignsNotSafe",
]


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


class VitalSignsNotSafe(Conflict):
    code = "THC-PATH-035"
    template = "{detail}"
