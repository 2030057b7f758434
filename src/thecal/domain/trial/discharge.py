"""The discharge rule of a trial (clinical.md §11 rule 4).

A patient may leave once the plan's observation period has elapsed since the dose, at least one
observation has been recorded, and the latest sedation score is not POSS 3 or 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from thecal.domain.trial.errors import ObservationPeriodNotElapsed, PatientTooSedated
from thecal.domain.trial.observation import TrialObservation
from thecal.domain.trial.plan import TrialPlan
from thecal.domain.units import Duration

__all__ = ["check_discharge"]


def check_discharge(
    *,
    plan: TrialPlan,
    administered_at: dt.datetime | None,
    observations: Sequence[TrialObservation],
    at: dt.datetime,
) -> None:
    """Refuse a discharge at ``at`` that the rule does not allow.

    Raises:
        ObservationPeriodNotElapsed: earlier than dose time + the plan's observation period.
        PatientTooSedated: no observation recorded, or the latest shows POSS 3 or 4.
    """
    start = administered_at or at
    elapsed, period = at - start, plan.observation_period.to_timedelta()
    if elapsed < period:
        raise ObservationPeriodNotElapsed(
            at=at.isoformat(),
            elapsed=Duration.from_timedelta(elapsed),
            period=plan.observation_period,
            source=plan.observation_source,
            remaining=Duration.from_timedelta(period - elapsed),
        )
    if not observations:
        raise PatientTooSedated(
            detail="no observation recorded after the dose: a monitoring record is required (clinical.md §11 rule 4)"
        )
    latest = observations[-1].sedation
    if latest is not None and latest.unacceptable:
        raise PatientTooSedated(
            detail=f"latest sedation score is POSS {latest.value}: not fit for discharge"
        )
