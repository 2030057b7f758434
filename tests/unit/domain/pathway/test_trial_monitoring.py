"""Trial monitoring (issue 13 §7, issue 14 §8): vital-sign alert limits from sourced values block
discharge, a missing sedation score blocks it, and an alert is cleared only by a full set within
the limits."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.trial import (
    NALOXONE_PROMPT,
    PatientTooSedated,
    Sedation,
    Trial,
    TrialBaseline,
    TrialObservation,
    TrialPlan,
    TrialRoute,
    TrialState,
    Vitals,
    VitalSign,
    VitalSignLimits,
    VitalSignsNotSafe,
    alerts_in,
)
from thecal.domain.units import Duration, Mass
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
DR = Actor(user_id="dr-ada", role=Role.PHYSICIAN)
RN = Actor(user_id="rn-cai", role=Role.NURSE)
LIMITS = VitalSignLimits.from_policy(ClinicPolicy())
FIT = Vitals(respiratory_rate=14, spo2_pct=97, heart_rate=72, systolic_bp=128)


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def trial(drug: str = "morphine", dose: Mass | None = None) -> Trial:
    made = Trial(
        trial_id="tr-1",
        patient_id="p-1",
        plan=TrialPlan.for_drug(
            reference_library().drug(drug),
            dose=dose or Mass.from_mcg(200),
            route=TrialRoute.IT_BOLUS,
            level="L3-L4",
            observation_period=Duration.hours(6),
            observation_source="S5",
        ),
        baseline=TrialBaseline(at=h(0), pain_nrs=8, ashworth=3),
        planned_by=DR,
        planned_at=h(-24),
    )
    made.administer(actor=DR, at=h(1))
    return made


def observe(t: Trial, hours: float, **kwargs: object) -> None:
    t.observe(actor=RN, observation=TrialObservation(at=h(hours), **kwargs))  # type: ignore[arg-type]


def test_the_limits_are_the_clinic_policy_s_sourced_values() -> None:
    assert (LIMITS.min_respiratory_rate, LIMITS.min_spo2_pct) == (10, 90)
    assert ClinicPolicy.source("discharge_min_respiratory_rate") == "S39 (10–12/min) [D]"
    assert "clinic policy" in ClinicPolicy.source("trial_min_systolic_bp")
    assert "S39" in LIMITS.describe()


def test_respiratory_rate_8_blocks_discharge_with_the_naloxone_prompt() -> None:
    t = trial()
    depressed = Vitals(respiratory_rate=8, spo2_pct=88, heart_rate=60, systolic_bp=118)
    observe(t, 3, pain_nrs=2, vitals=depressed, sedation=Sedation.SLIGHTLY_DROWSY)
    [(_, alerts)] = t.alerts(LIMITS)
    assert [a.sign for a in alerts] == [VitalSign.RESPIRATORY_RATE, VitalSign.SPO2]
    assert all(a.naloxone for a in alerts)
    assert "respiratory rate 8/min (alert below 10/min, S39)" in alerts[0].describe()
    with pytest.raises(VitalSignsNotSafe) as refused:
        t.discharge(actor=RN, at=h(8), limits=LIMITS)
    assert refused.value.code == "THC-PATH-035"
    assert "respiratory rate 8/min" in refused.value.message
    assert NALOXONE_PROMPT in refused.value.message
    assert "S99" in refused.value.message
    assert t.state is TrialState.ADMINISTERED


def test_a_missing_sedation_score_blocks_discharge() -> None:
    t = trial()
    observe(t, 3, pain_nrs=2, vitals=FIT)
    with pytest.raises(PatientTooSedated, match="has no sedation score"):
        t.discharge(actor=RN, at=h(8), limits=LIMITS)


def test_an_opioid_trial_needs_the_vital_signs_at_discharge() -> None:
    t = trial()
    observe(t, 3, pain_nrs=2, sedation=Sedation.AWAKE)
    with pytest.raises(VitalSignsNotSafe, match=r"no respiratory rate or SpO2.*\(S39\)"):
        t.discharge(actor=RN, at=h(8), limits=LIMITS)


def test_an_alert_is_cleared_only_by_a_full_set_within_the_limits() -> None:
    t = trial("baclofen", Mass.from_mcg(50))  # not an opioid: vitals not otherwise required
    low = Vitals(respiratory_rate=14, spo2_pct=97, heart_rate=44, systolic_bp=82)
    observe(t, 2, ashworth=1, vitals=low, sedation=Sedation.AWAKE)
    [(_, alerts)] = t.alerts(LIMITS)
    assert {a.sign for a in alerts} == {VitalSign.SYSTOLIC_BP, VitalSign.HEART_RATE}
    assert not any(a.naloxone for a in alerts)  # no opioid: no naloxone prompt
    observe(t, 4, ashworth=1, sedation=Sedation.AWAKE)
    with pytest.raises(VitalSignsNotSafe, match="is not cleared"):
        t.discharge(actor=RN, at=h(8), limits=LIMITS)
    observe(t, 5, ashworth=1, sedation=Sedation.AWAKE, vitals=FIT)
    t.discharge(actor=RN, at=h(8), limits=LIMITS)
    assert t.state is TrialState.DISCHARGED


def test_sedation_poss_3_is_an_alert_with_the_naloxone_prompt_after_an_opioid() -> None:
    o = TrialObservation(at=h(2), vitals=FIT, sedation=Sedation.FREQUENTLY_DROWSY)
    [alert] = alerts_in(o, LIMITS, opioid=True)
    assert alert.sign is VitalSign.SEDATION
    assert alert.naloxone
    assert alerts_in(TrialObservation(at=h(2), vitals=FIT), LIMITS, opioid=True) == ()


def test_limits_follow_the_clinic_policy() -> None:
    stricter = VitalSignLimits.from_policy(ClinicPolicy(discharge_min_respiratory_rate=12))
    o = TrialObservation(
        at=h(2), vitals=Vitals(respiratory_rate=11, spo2_pct=97, heart_rate=70, systolic_bp=120)
    )
    assert alerts_in(o, LIMITS, opioid=True) == ()
    assert [a.sign for a in alerts_in(o, stricter, opioid=True)] == [VitalSign.RESPIRATORY_RATE]
