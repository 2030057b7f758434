"""The intrathecal trial: observation gate, evaluation by drug worked by hand, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from thecal.domain.actors import ActorNotAllowed
from thecal.domain.errors import Conflict, ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.trial import (
    ObservationPeriodNotElapsed,
    PatientTooSedated,
    Sedation,
    Trial,
    TrialBaseline,
    TrialDecision,
    TrialNotEvaluable,
    TrialNotSuccessful,
    TrialObservation,
    TrialPlan,
    TrialRoute,
    TrialState,
    TrialStateError,
    Vitals,
    spinal_level,
)
from thecal.domain.units import Duration, Mass
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
LIB = reference_library()
DR = Actor(user_id="dr-ada", role=Role.PHYSICIAN)
RN = Actor(user_id="rn-cai", role=Role.NURSE)
S = TrialState
PACC_6H = Duration.hours(6)
VITALS = Vitals(respiratory_rate=14, spo2_pct=97, heart_rate=72, systolic_bp=128)


def h(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def plan(
    drug_id: str = "morphine", period: Duration = PACC_6H, dose: Mass | None = None
) -> TrialPlan:
    return TrialPlan.for_drug(
        LIB.drug(drug_id),
        dose=dose or Mass.from_mcg(200),
        route=TrialRoute.IT_BOLUS,
        level="L3-L4",
        observation_period=period,
        observation_source="S5",
    )


def new_trial(
    drug_id: str = "morphine", baseline: TrialBaseline | None = None, period: Duration = PACC_6H
) -> Trial:
    return Trial(
        trial_id="tr-1",
        patient_id="p-1",
        plan=plan(drug_id, period),
        baseline=baseline or TrialBaseline(at=h(0), pain_nrs=8, function_score=40),
        planned_by=DR,
        planned_at=h(-24),
    )


def obs(hours: int, pain: int | None = None, **kwargs: object) -> TrialObservation:
    return TrialObservation(
        at=h(hours), pain_nrs=pain, vitals=VITALS, sedation=Sedation.AWAKE, **kwargs
    )  # type: ignore[arg-type]


def administered(trial: Trial | None = None) -> Trial:
    trial = trial or new_trial()
    trial.administer(actor=DR, at=h(1))
    return trial


def discharged(*observations: TrialObservation) -> Trial:
    trial = administered()
    for o in observations or (
        obs(2, 5, function_score=50),
        obs(4, 3, function_score=60),
        obs(8, 4),
        obs(12, 4),  # ≥ 50 % from 4 h to 12 h: sustained 8 h (S40)
    ):
        trial.observe(actor=RN, observation=o)
    trial.discharge(actor=RN, at=h(12))
    return trial


# ----------------------------------------------------------------------------- transitions

STATE_OF: dict[TrialState, Callable[[], Trial]] = {
    S.PLANNED: new_trial,
    S.ADMINISTERED: administered,
    S.DISCHARGED: discharged,
}


def decided() -> Trial:
    trial = discharged()
    trial.decide(actor=DR, at=h(13), decision=TrialDecision.IMPLANT, rationale="62.5 % relief")
    return trial


def cancelled() -> Trial:
    trial = new_trial()
    trial.cancel(actor=DR, at=h(0), reason="infection")
    return trial


STATE_OF[S.DECIDED] = decided
STATE_OF[S.CANCELLED] = cancelled

ACTIONS: dict[str, Callable[[Trial], object]] = {
    "administer the trial dose": lambda t: t.administer(actor=DR, at=h(20)),
    "record a trial observation": lambda t: t.observe(actor=RN, observation=obs(20, 3)),
    "discharge the patient": lambda t: t.discharge(actor=RN, at=h(20)),
    "decide on the trial": lambda t: t.decide(
        actor=DR, at=h(20), decision=TrialDecision.NO_IMPLANT, rationale="patient preference"
    ),
    "cancel the trial": lambda t: t.cancel(actor=DR, at=h(20), reason="declined"),
}
ALLOWED = {
    "administer the trial dose": {S.PLANNED},
    "record a trial observation": {S.ADMINISTERED},
    "discharge the patient": {S.ADMINISTERED},
    "decide on the trial": {S.DISCHARGED},
    "cancel the trial": {S.PLANNED},
}


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for a, ok in ALLOWED.items() for s in TrialState if s not in ok]
)
def test_every_illegal_trial_action_raises_naming_the_state_and_action(
    state: TrialState, action: str
) -> None:
    trial = STATE_OF[state]()
    with pytest.raises(TrialStateError, match=f"is {state.value}: cannot {action}") as caught:
        ACTIONS[action](trial)
    assert isinstance(caught.value, Conflict)


@pytest.mark.parametrize(("state", "action"), [(s, a) for a, ok in ALLOWED.items() for s in ok])
def test_every_legal_trial_action_bumps_the_version(state: TrialState, action: str) -> None:
    trial = STATE_OF[state]()
    if action == "discharge the patient":
        trial.observe(actor=RN, observation=obs(2, 4))
    version = trial.version
    ACTIONS[action](trial)
    assert trial.version == version + 1


# ----------------------------------------------------------------------------- discharge gate


def test_discharge_at_5_h_with_a_6_h_policy_is_refused_with_the_time_to_go() -> None:
    trial = administered()
    trial.observe(actor=RN, observation=obs(5, 3))
    with pytest.raises(
        ObservationPeriodNotElapsed, match="5 h after the dose; the observation period is 6 h"
    ) as caught:
        trial.discharge(actor=RN, at=h(6))  # dose at 1 h, so 5 h after it
    assert "1 h still to go" in caught.value.message
    assert trial.state is S.ADMINISTERED


def test_discharge_at_exactly_6_h_is_allowed() -> None:
    trial = administered()
    trial.observe(actor=RN, observation=obs(6, 3))
    trial.discharge(actor=RN, at=h(7))
    assert trial.state is S.DISCHARGED


def test_the_label_24_h_policy_refuses_discharge_at_6_h() -> None:
    trial = administered(new_trial(period=Duration.hours(24)))
    trial.observe(actor=RN, observation=obs(6, 3))
    with pytest.raises(ObservationPeriodNotElapsed, match="18 h still to go"):
        trial.discharge(actor=RN, at=h(7))


def test_discharge_without_any_observation_is_refused() -> None:
    trial = administered()
    with pytest.raises(PatientTooSedated, match="no observation"):
        trial.discharge(actor=RN, at=h(8))


@pytest.mark.parametrize("score", [Sedation.FREQUENTLY_DROWSY, Sedation.SOMNOLENT])
def test_discharge_while_the_latest_sedation_is_poss_3_or_4_is_refused(score: Sedation) -> None:
    trial = administered()
    trial.observe(actor=RN, observation=TrialObservation(at=h(7), pain_nrs=2, sedation=score))
    with pytest.raises(PatientTooSedated, match=f"POSS {score.value}"):
        trial.discharge(actor=RN, at=h(7))


# ----------------------------------------------------------------------------- evaluation


def test_morphine_8_to_3_is_a_62_5_percent_reduction_and_a_success() -> None:
    trial = discharged()
    evaluation = trial.evaluate()
    # best NRS after the dose is 3 at 4 h; (8 − 3) ÷ 8 = 62.5 % ≥ 50 % (S42); function 40 → 60
    assert evaluation.pain_reduction_pct == Decimal("62.5")
    assert evaluation.readout_at == h(4)
    assert evaluation.function_change == 20
    assert evaluation.success
    assert evaluation.sustained_for == Duration.hours(8)
    assert "S42" in evaluation.criterion.describe()
    assert "lasting 8 h" in evaluation.criterion.describe()


def test_a_single_best_score_without_sustained_relief_is_not_a_success() -> None:
    # 75 % at 3 h, back to 6 (25 %) at 5 h, 50 % again at 7 h and 9 h: the longest run is 2 h
    trial = discharged(obs(3, 2), obs(5, 6), obs(7, 4), obs(9, 4))
    evaluation = trial.evaluate()
    assert evaluation.pain_reduction_pct == Decimal(75)
    assert not evaluation.success
    assert evaluation.sustained_for == Duration.hours(2)
    assert any("the criterion needs 8 h (S42, S40)" in r for r in evaluation.reasons)


def test_a_chosen_read_out_time_is_used_instead_of_the_best() -> None:
    # NRS 5 at 2 h: (8 − 5) ÷ 8 = 37.5 % < 50 %
    evaluation = discharged().evaluate(readout_at=h(2))
    assert evaluation.pain_reduction_pct == Decimal("37.5")
    assert not evaluation.success
    with pytest.raises(TrialNotEvaluable, match="no pain score at"):
        discharged().evaluate(readout_at=h(3))


def test_intolerable_side_effects_fail_an_otherwise_successful_trial() -> None:
    trial = discharged(
        obs(3, 2, side_effects=("urinary retention", "pruritus"), intolerable=True), obs(7, 2)
    )
    evaluation = trial.evaluate()
    assert evaluation.pain_reduction_pct == Decimal(75)
    assert not evaluation.success
    assert evaluation.intolerable_side_effects == ("urinary retention", "pruritus")


def test_a_functional_decline_fails_the_opioid_trial() -> None:
    trial = discharged(obs(3, 2, function_score=30), obs(7, 3))
    assert not trial.evaluate().success
    assert "no functional gain (-10)" in trial.evaluate().reasons


def test_an_implant_decision_after_a_failed_trial_is_refused_but_no_implant_is_recorded() -> None:
    trial = discharged(obs(3, 6), obs(7, 6))  # 25 %
    with pytest.raises(TrialNotSuccessful, match=r"25\.0 % < 50 %"):
        trial.decide(actor=DR, at=h(13), decision=TrialDecision.IMPLANT, rationale="wants it")
    trial.decide(actor=DR, at=h(13), decision=TrialDecision.REPEAT_TRIAL, rationale="dose too low")
    assert trial.state is S.DECIDED
    assert trial.decision is TrialDecision.REPEAT_TRIAL


def test_only_a_physician_records_the_decision() -> None:
    trial = discharged()
    with pytest.raises(ActorNotAllowed, match="only physician"):
        trial.decide(actor=RN, at=h(13), decision=TrialDecision.IMPLANT, rationale="good relief")


def test_ziconotide_needs_30_percent_on_two_occasions() -> None:
    trial = new_trial("ziconotide")
    trial.administer(actor=DR, at=h(1))
    trial.observe(actor=RN, observation=obs(4, 5))  # (8 − 5) ÷ 8 = 37.5 % ≥ 30 % (S21)
    trial.discharge(actor=RN, at=h(7))
    first = trial.evaluate()
    assert first.met_this_occasion
    assert not first.success
    assert "1 of 2 successful occasions (S21)" in first.reasons
    assert trial.evaluate(prior_successful_occasions=1).success


def test_baclofen_needs_a_2_point_improvement_lasting_4_hours() -> None:
    baseline = TrialBaseline(at=h(0), ashworth=4, spasm_frequency=3)
    trial = new_trial("baclofen", baseline=baseline, period=Duration.hours(8))
    trial.administer(actor=DR, at=h(1))
    for hours, ashworth in ((2, 3), (3, 2), (5, 2), (7, 1), (9, 3)):
        trial.observe(actor=RN, observation=TrialObservation(at=h(hours), ashworth=ashworth))
    # improvement ≥ 2 from 3 h to 7 h = 4 h (S40)
    evaluation = trial.evaluate()
    assert evaluation.spasticity_improvement == 3
    assert evaluation.sustained_for == Duration.hours(4)
    assert evaluation.success


def test_baclofen_improvement_for_only_2_hours_is_not_a_success() -> None:
    baseline = TrialBaseline(at=h(0), ashworth=4)
    trial = new_trial("baclofen", baseline=baseline, period=Duration.hours(8))
    trial.administer(actor=DR, at=h(1))
    for hours, ashworth in ((3, 2), (5, 2), (6, 4)):
        trial.observe(actor=RN, observation=TrialObservation(at=h(hours), ashworth=ashworth))
    evaluation = trial.evaluate()
    assert evaluation.sustained_for == Duration.hours(2)
    assert not evaluation.success


def test_a_zero_baseline_pain_cannot_be_evaluated() -> None:
    trial = administered(new_trial(baseline=TrialBaseline(at=h(0), pain_nrs=0)))
    trial.observe(actor=RN, observation=obs(3, 0))
    with pytest.raises(TrialNotEvaluable, match="above 0"):
        trial.evaluate()


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize("level", ["T10", "l3-l4", "C7", "S1"])
def test_spinal_levels_are_accepted_and_normalised(level: str) -> None:
    assert spinal_level(level) == level.upper()


@pytest.mark.parametrize("level", ["T13", "L6", "lumbar", "", "T10-"])
def test_impossible_spinal_levels_are_refused(level: str) -> None:
    with pytest.raises(ValueOutOfRange, match="spinal level"):
        spinal_level(level)


@pytest.mark.parametrize(
    "build",
    [
        lambda: TrialObservation(at=h(1), pain_nrs=11),
        lambda: Vitals(respiratory_rate=14, spo2_pct=101, heart_rate=70, systolic_bp=120),
        lambda: TrialObservation(at=h(1), intolerable=True),
        lambda: TrialObservation(at=h(1), ashworth=5),
    ],
)
def test_observation_values_outside_their_scales_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueOutOfRange):
        build()


def test_only_a_physician_plans_a_trial() -> None:
    with pytest.raises(ActorNotAllowed):
        Trial(
            trial_id="t",
            patient_id="p",
            plan=plan(),
            baseline=TrialBaseline(at=h(0), pain_nrs=8),
            planned_by=RN,
            planned_at=h(0),
        )
