"""The intrathecal trial of a demo patient, through the trial use cases (``services/trials.py``).

Plan (the safety review checks the dose) → administer → four observations (1, 2, 4 and 6 h:
pain, function, vitals, sedation; Ashworth and spasm frequency for baclofen; morphine also at 9
and 12 h, as at 6 h, because relief must last ~8 h, S40) → discharge when
the clinic's observation period has passed (24 h for morphine, the label's S4; 8 h for a baclofen
screening, S16/S37 — ``ClinicPolicy``) → the physician's decision from the evaluation. Doses sit
inside the library's trial ranges: morphine 0.2–0.3 mg (100–500 mcg, S1), baclofen 50 mcg (S16,
S17). Whether the trial works is the cohort's quota; the observations are drawn to match it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Generator
from decimal import Decimal

from thecal.domain.trial import (
    Sedation,
    TrialBaseline,
    TrialDecision,
    TrialObservation,
    TrialRoute,
    Vitals,
)
from thecal.domain.units import Mass
from thecal.services.demo.context import SeedContext
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    ObserveTrial,
    PlanTrial,
    administer_trial,
    decide_trial,
    discharge_trial,
    observe_trial,
    plan_trial,
)

__all__ = ["trial_day"]

_HOURS = (1, 2, 4, 6)
_LATER_HOURS = (9, 12)  # opioid trials: the sustained-relief read-outs (S40, ~8 h)
_MORPHINE_OBSERVATION = dt.timedelta(hours=24)
_BACLOFEN_OBSERVATION = dt.timedelta(hours=8)


def _observations(
    *, baclofen: bool, works: bool, pain0: int, start: dt.datetime, rng: random.Random
) -> list[TrialObservation]:
    found = []
    for hour in _HOURS:
        if baclofen:
            tone = (2, 1, 1, 1)[_HOURS.index(hour)] if works else (3, 2, 3, 3)[_HOURS.index(hour)]
            pain = None
        else:
            share = rng.uniform(0.2, 0.4) if works else rng.uniform(0.7, 0.95)
            pain = round(pain0 * share)
            tone = None
        found.append(
            TrialObservation(
                at=start + dt.timedelta(hours=hour),
                pain_nrs=pain,
                function_score=(60 if works else 35) + rng.randint(-5, 5),
                vitals=Vitals(
                    respiratory_rate=rng.randint(12, 18),
                    spo2_pct=rng.randint(95, 99),
                    heart_rate=rng.randint(62, 88),
                    systolic_bp=rng.randint(112, 138),
                ),
                sedation=Sedation.AWAKE,
                ashworth=tone,
                spasm_frequency=tone,
                side_effects=("pruritus",) if not baclofen and rng.random() < 0.3 else (),
            )
        )
    if not baclofen:  # relief must last ~8 h (S40): later readings, as at 6 h (no new draws)
        last = found[-1]
        found.extend(
            dataclasses.replace(last, at=start + dt.timedelta(hours=hour), side_effects=())
            for hour in _LATER_HOURS
        )
    return found


def trial_day(
    ctx: SeedContext,
    *,
    number: int,
    patient_id: str,
    baclofen: bool,
    works: bool,
    pain0: int,
    rng: random.Random,
) -> Generator[dt.datetime, None, str]:
    """Yield the trial's instants (the clock is at the first one when called); return its id."""
    staff = ctx.staff
    start = ctx.clock.now()
    dose = (
        Mass.from_mcg(50)
        if baclofen
        else Mass.from_mg(rng.choice((Decimal("0.2"), Decimal("0.3"))))
    )
    planned = ctx.clinic.run(
        plan_trial,
        PlanTrial(
            actor=staff.physician,
            patient_id=patient_id,
            drug_id="baclofen" if baclofen else "morphine",
            dose=dose,
            route=TrialRoute.IT_BOLUS,
            spinal_level=rng.choice(("L2-L3", "L3-L4", "L4-L5")),
            baseline=TrialBaseline(
                at=start,
                pain_nrs=None if baclofen else pain0,
                function_score=rng.randint(25, 40),
                ashworth=3 if baclofen else None,
                spasm_frequency=3 if baclofen else None,
            ),
            trial_id=ctx.ident("trial", number),
        ),
    )
    trial_id = planned.trial.trial_id
    given = start + dt.timedelta(minutes=20)
    yield given
    trial = ctx.clinic.run(
        administer_trial,
        AdministerTrial(
            actor=staff.physician, trial_id=trial_id, expected_version=planned.trial.version
        ),
    )
    for observation in _observations(
        baclofen=baclofen, works=works, pain0=pain0, start=given, rng=rng
    ):
        yield observation.at
        trial = ctx.clinic.run(
            observe_trial,
            ObserveTrial(actor=staff.nurse, trial_id=trial_id, observation=observation),
        )
    yield given + (_BACLOFEN_OBSERVATION if baclofen else _MORPHINE_OBSERVATION)
    trial = ctx.clinic.run(
        discharge_trial,
        DischargeTrial(actor=staff.nurse, trial_id=trial_id, expected_version=trial.version),
    )
    ctx.clinic.run(
        decide_trial,
        DecideTrial(
            actor=staff.physician,
            trial_id=trial_id,
            expected_version=trial.version,
            decision=TrialDecision.IMPLANT if works else TrialDecision.NO_IMPLANT,
            rationale="trial criterion met; patient wishes to proceed"
            if works
            else "trial criterion not met",
        ),
    )
    ctx.tally.add("trials succeeded" if works else "trials failed")
    return trial_id
