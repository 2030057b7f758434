"""Device events in a pump's life (issue 12 §3): replacement, catheter revision, discontinuation,
interruption. Worked examples; every expected number is derived by hand beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture, Component
from thecal.domain.catheter_revision import plan_catheter_revision
from thecal.domain.dosing import PrimingMode
from thecal.domain.errors import RequestInvalid, ValueOutOfRange
from thecal.domain.interruption import review_restart
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.pump_replacement import TherapyNotCarriedOver, carry_over
from thecal.domain.therapy_discontinuation import (
    WithdrawalPlan,
    WithdrawalPlanRequired,
    check_withdrawal_plan,
    drugs_needing_a_plan,
)
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume

LIB = reference_library()
SYNCHROMED = LIB.pump("synchromed-ii-20")
PROMETRA = LIB.pump("prometra-ii-20")
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


# ------------------------------------------------------------------ pump replacement


def test_morphine_carries_over_from_synchromed_to_prometra_with_the_whole_new_path_primed() -> None:
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    carried = carry_over(
        old_model=SYNCHROMED,
        new_model=PROMETRA,
        admixture=morphine,
        daily_dose=DoseRate.from_mg_per_day(5),
        catheter_volume=Volume(Decimal("0.26")),  # 100 cm × 0.0026 mL/cm
    )
    # 5 mg/day ÷ 25 mg/mL = 0.2 mL/day, inside Prometra's 0.02–20 mL/day
    assert carried.flow.ml_per_day == Decimal("0.2")
    # catheter 0.26 mL + Prometra path 0.25 mL = 0.51 mL, holding 0.51 × 25 = 12.75 mg
    assert carried.priming.mode is PrimingMode.AFTER_IMPLANT
    assert carried.priming.volume == Volume(Decimal("0.51"))
    assert carried.priming.drug_in_volume["morphine"] == Mass.from_mg(Decimal("12.75"))
    # ±15 % (S62) instead of ±14.5 %: the clinician is told the reconciliation band changes
    assert any("±15 %" in note and "±14.5 %" in note for note in carried.notes)


def test_ziconotide_cannot_move_into_a_prometra_it_is_not_approved_in() -> None:
    ziconotide = Admixture.single("ziconotide", Concentration.from_mcg_per_ml(100))
    with pytest.raises(TherapyNotCarriedOver) as raised:
        carry_over(
            old_model=SYNCHROMED,
            new_model=PROMETRA,
            admixture=ziconotide,
            daily_dose=DoseRate.from_mcg_per_day(Decimal("2.4")),  # 0.024 mL/day
            catheter_volume=Volume(Decimal("0.26")),
        )
    assert raised.value.code == "THC-PATH-060"
    assert "ziconotide is approved in the" in raised.value.message
    assert PROMETRA.name in raised.value.message


def test_a_flow_above_the_new_models_maximum_is_refused_with_the_dosing_reason() -> None:
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(1))
    with pytest.raises(TherapyNotCarriedOver) as raised:
        carry_over(
            old_model=SYNCHROMED,  # 22 mL/day runs on SynchroMed II (≤ 24 mL/day) ...
            new_model=PROMETRA,  # ... not on Prometra II (≤ 20 mL/day)
            admixture=morphine,
            daily_dose=DoseRate.from_mg_per_day(22),
            catheter_volume=Volume(Decimal("0.26")),
        )
    assert "22" in raised.value.message
    assert "mL/day" in raised.value.message


def test_a_drug_already_off_label_stays_a_note_not_a_refusal() -> None:
    mix = Admixture(
        components=(
            Component(drug_id="hydromorphone", concentration=Concentration.from_mg_per_ml(10)),
        )
    )
    carried = carry_over(
        old_model=SYNCHROMED,
        new_model=LIB.pump("synchromed-ii-40"),
        admixture=mix,
        daily_dose=DoseRate.from_mg_per_day(2),
        catheter_volume=Volume(Decimal("0.26")),
    )
    assert carried.notes == (
        "hydromorphone stays off-label in the " + LIB.pump("synchromed-ii-40").name,
    )


# ------------------------------------------------------------------ catheter revision


def test_a_catheter_revision_primes_the_new_catheter_only_and_says_the_drug_it_pushes() -> None:
    baclofen = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))
    plan = plan_catheter_revision(
        catheter=LIB.catheter("ascenda-8780"),
        implanted_length_cm=Decimal(60),
        old_dead_space=Volume(Decimal("0.13")),
        pump=SYNCHROMED,
        admixture=baclofen,
    )
    # 60 cm × 0.0026 mL/cm = 0.156 mL; the pump path (0.2 mL) still holds drug and is not primed
    assert plan.new_dead_space == Volume(Decimal("0.156"))
    assert plan.priming.volume == Volume(Decimal("0.156"))
    # 0.156 mL × 500 mcg/mL = 78 mcg of baclofen reaches the tip as the priming ends
    assert plan.drug_pushed["baclofen"] == Mass.from_mcg(78)
    text = plan.drug_pushed_text(LIB.drugs)
    assert "78" in text
    assert "mcg" in text
    assert "mg" not in text.replace("mcg", "")


def test_a_catheter_length_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueOutOfRange):
        plan_catheter_revision(
            catheter=LIB.catheter("ascenda-8780"),
            implanted_length_cm=Decimal(0),
            old_dead_space=Volume(Decimal("0.13")),
            pump=SYNCHROMED,
            admixture=Admixture.single("baclofen", Concentration.from_mcg_per_ml(500)),
        )


# ------------------------------------------------------------------ discontinuation


def test_stopping_baclofen_without_a_withdrawal_plan_is_refused() -> None:
    with pytest.raises(WithdrawalPlanRequired) as raised:
        check_withdrawal_plan([LIB.drug("baclofen")], None)
    assert raised.value.code == "THC-PATH-061"
    assert "high risk" in raised.value.message
    assert "S18" in raised.value.message


def test_a_plan_must_cover_every_risky_drug_of_the_admixture() -> None:
    plan = WithdrawalPlan(drug_ids=("morphine",), text="oral morphine taper over 14 days")
    check_withdrawal_plan([LIB.drug("morphine")], plan)  # covered: no error
    with pytest.raises(WithdrawalPlanRequired) as raised:
        check_withdrawal_plan([LIB.drug("morphine"), LIB.drug("clonidine")], plan)
    assert LIB.drug("clonidine").name in raised.value.message
    assert LIB.drug("morphine").name not in raised.value.fields["drugs"]


def test_ziconotide_alone_needs_no_plan_and_baclofen_comes_first() -> None:
    check_withdrawal_plan([LIB.drug("ziconotide")], None)
    ordered = drugs_needing_a_plan([LIB.drug("clonidine"), LIB.drug("baclofen")])
    assert [drug.id for drug in ordered] == ["baclofen", "clonidine"]


def test_an_empty_plan_is_not_a_plan() -> None:
    with pytest.raises(RequestInvalid):
        WithdrawalPlan(drug_ids=("baclofen",), text="  ")


# ------------------------------------------------------------------ interruption and restart


def test_an_opioid_restart_after_the_policy_interval_is_reviewed_as_a_new_start() -> None:
    policy = ClinicPolicy()
    drugs = [LIB.drug("morphine"), LIB.drug("clonidine")]
    long = review_restart(
        suspended_at=T0, restart_at=T0 + dt.timedelta(days=3), drugs=drugs, policy=policy
    )
    assert long.as_new_start
    assert long.new_start_drug_ids == ("morphine",)
    assert long.interrupted_for == Duration.days(3)
    assert "clinic policy" in long.source
    short = review_restart(
        suspended_at=T0, restart_at=T0 + dt.timedelta(days=2, hours=23), drugs=drugs, policy=policy
    )
    assert not short.as_new_start


def test_the_interval_is_the_clinics_choice_and_non_opioids_do_not_restart_as_new() -> None:
    policy = ClinicPolicy(opioid_tolerance_lost_after=Duration.days(14))
    restart = T0 + dt.timedelta(days=10)
    assert not review_restart(
        suspended_at=T0, restart_at=restart, drugs=[LIB.drug("morphine")], policy=policy
    ).as_new_start
    assert not review_restart(
        suspended_at=T0,
        restart_at=T0 + dt.timedelta(days=30),
        drugs=[LIB.drug("ziconotide")],
        policy=policy,
    ).as_new_start


def test_a_restart_before_the_suspension_is_refused() -> None:
    with pytest.raises(ValueOutOfRange):
        review_restart(
            suspended_at=T0,
            restart_at=T0 - dt.timedelta(hours=1),
            drugs=[LIB.drug("morphine")],
            policy=ClinicPolicy(),
        )
