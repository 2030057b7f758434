"""The discharge rule of a trial (clinical.md §11 rule 4; issue 13 §7, issue 14 §8).

A patient may leave once the plan's observation period has elapsed since the dose and the latest
observation shows a patient fit to leave:

* it has a POSS sedation score, and the score is not 3 or 4 (a missing score is not "awake");
* after an opioid it has the vital signs (respiratory rate and SpO2 are how respiratory depression
  is seen, S39), and so does it after any earlier alert (an alert is cleared only by a full set
  within the limits);
* none of its signs breaches an alert limit (:mod:`.vital_signs`: respiratory rate, SpO2, systolic
  blood pressure, heart rate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from thecal.domain.trial.errors import (
    ObservationPeriodNotElapsed,
    PatientTooSedated,
    VitalSignsNotSafe,
)
from thecal.domain.trial.observation import TrialObservation
from thecal.domain.trial.plan import TrialPlan
from thecal.domain.trial.vital_signs import VitalSignLimits, alerts_in
from thecal.domain.units import Duration

__all__ = ["check_discharge"]


def _time(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def check_discharge(
    *,
    plan: TrialPlan,
    administered_at: dt.datetime | None,
    observations: Sequence[TrialObservation],
    at: dt.datetime,
    limits: VitalSignLimits,
    opioid: bool,
) -> None:
    """Refuse a discharge at ``at`` that the rule does not allow.

    Raises:
        ObservationPeriodNotElapsed: earlier than dose time + the plan's observation period.
        PatientTooSedated: no observation recorded, no sedation score in the latest, or POSS 3–4.
        VitalSignsNotSafe: the latest observation breaches an alert limit, or lacks the vital
            signs after an opioid or after an earlier alert.
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
    latest = observations[-1]
    if latest.sedation is None:
        raise PatientTooSedated(
            detail=(
                f"the latest observation ({_time(latest.at)}) has no sedation score: score POSS "
                "before discharge (clinical.md §11 rule 4)"
            )
        )
    if latest.sedation.unacceptable:
        raise PatientTooSedated(
            detail=f"latest sedation score is POSS {latest.sedation.value}: not fit for discharge"
        )
    alerts = alerts_in(latest, limits, opioid=opioid)
    if alerts:
        raise VitalSignsNotSafe(
            detail=(
                f"the latest observation ({_time(latest.at)}) breaches an alert limit: "
                f"{'; '.join(a.describe() for a in alerts)}; not fit for discharge"
            )
        )
    if latest.vitals is None:
        earlier = next(
            (o for o in observations if alerts_in(o, limits, opioid=opioid)),
            None,
        )
        if earlier is not None:
            raise VitalSignsNotSafe(
                detail=(
                    f"the alert at {_time(earlier.at)} "
                    f"({'; '.join(f'{a.sign.value} {a.observed}' for a in alerts_in(earlier, limits, opioid=opioid))}) "
                    "is not cleared: record a full set of vital signs within the limits before discharge"
                )
            )
        if opioid:
            raise VitalSignsNotSafe(
                detail=(
                    f"the latest observation ({_time(latest.at)}) has no respiratory rate or SpO2: "
                    "after an intrathecal opioid they are how respiratory depression is seen (S39); "
                    "record the vital signs before discharge"
                )
            )
