"""The demo cohort and its questionnaires: deterministic, every feature present, valid answers."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from thecal.domain.candidacy import Indication
from thecal.domain.errors import RequestInvalid
from thecal.domain.instruments import Instrument, score_responses
from thecal.services.demo import SeedClock
from thecal.services.demo.cohort import PUMP_MODELS, Pathway, plan_cohort
from thecal.services.demo.questionnaires import draw_course

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2026, 1, 1)


def cohort(patients: int, seed: int = 11) -> list:  # type: ignore[type-arg]
    return plan_cohort(patients=patients, seed=seed, first_day=FIRST, last_day=LAST)


def test_the_same_seed_plans_the_same_cohort_and_another_seed_a_different_one() -> None:
    assert cohort(300) == cohort(300)
    assert cohort(300) != cohort(300, seed=12)


@pytest.mark.parametrize("patients", [12, 50, 1000])
def test_every_pump_model_a_failed_trial_a_baclofen_pump_and_one_pocket_fill(
    patients: int,
) -> None:
    plans = cohort(patients)
    pumps = [p for p in plans if p.pump_model_id]
    assert {p.pump_model_id for p in pumps} == set(PUMP_MODELS)
    assert any(p.pathway is Pathway.INTRATHECAL and not p.trial_succeeds for p in plans)
    assert any(p.indication is Indication.SPASTICITY for p in pumps)
    assert sum(p.pocket_fill for p in plans) == 1
    assert {p.pathway for p in plans} == set(Pathway)


def test_baclofen_goes_only_to_synchromed_pumps_and_the_demo_patient_gets_a_pump() -> None:
    plans = cohort(1000)
    assert plans[0].pump_model_id is not None
    for plan in plans:
        if plan.indication is Indication.SPASTICITY and plan.pump_model_id:
            assert plan.pump_model_id.startswith("synchromed")


def test_about_three_in_four_trials_succeed_in_a_large_clinic() -> None:
    trials = [p for p in cohort(1000) if p.pathway is Pathway.INTRATHECAL]
    share = sum(p.trial_succeeds for p in trials) / len(trials)
    assert 0.70 <= share <= 0.80


def test_every_drawn_answer_is_scored_by_its_instrument() -> None:
    rng = random.Random(3)
    for _ in range(200):
        course = draw_course(rng, responder_percent=60, bpi=True)
        assert course.baseline.day <= 0
        assert all(v.day > 0 for v in course.follow_ups)
        for visit in course.visits():
            for instrument, answers in visit.answers:
                score_responses(instrument, answers)  # raises on a refused answer


def test_a_baseline_asks_pain_function_and_quality_of_life_and_follow_ups_ask_pgic() -> None:
    course = draw_course(random.Random(5), responder_percent=100, bpi=False)
    asked = {instrument for instrument, _ in course.baseline.answers}
    assert asked == {Instrument.NRS, Instrument.ODI, Instrument.EQ5D5L}
    for visit in course.follow_ups:
        assert Instrument.PGIC in {instrument for instrument, _ in visit.answers}


def test_the_seed_clock_moves_forward_only() -> None:
    clock = SeedClock(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    clock.move_to(dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    with pytest.raises(RequestInvalid):
        clock.move_to(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert clock.now() == dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
