"""Worked examples; every expected number is derived by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture, Component
from thecal.domain.dosing import bridge_bolus, check_pump_flow, flow_for, priming_bolus
from thecal.domain.errors import FlowBelowPumpMinimum, UnknownReference
from thecal.domain.forecast import RefillLimit, forecast_reservoir, plan_next_refill, volume_left
from thecal.domain.library import reference_library
from thecal.domain.mme import OpioidDose, calculate_mme
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.units import (
    Concentration,
    DoseRate,
    Duration,
    FlowRate,
    Mass,
    MassUnit,
    TimeUnit,
    Volume,
)

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))


def test_flow_is_dose_divided_by_concentration() -> None:
    # 5 mg/day ÷ 25 mg/mL = 0.2 mL/day
    assert flow_for(
        DoseRate.from_mg_per_day(5), Concentration.from_mg_per_ml(25)
    ) == FlowRate.from_ml_per_day(Decimal("0.2"))


def test_ziconotide_below_the_synchromed_minimum_flow_is_refused_with_the_way_out() -> None:
    pump = reference_library().pump("synchromed-ii-40")
    with pytest.raises(FlowBelowPumpMinimum) as caught:
        check_pump_flow(
            DoseRate.from_mcg_per_day(Decimal("2.4")), Concentration.from_mcg_per_ml(100), pump
        )
    message = caught.value.message
    # 2.4 ÷ 100 = 0.024 mL/day < 0.048; lowest dose 0.048 × 100 = 4.8 mcg/day; max conc 2.4 ÷ 0.048 = 50
    for expected in (
        "0.024 mL/day",
        "0.048 mL/day",
        "4.8 mcg/day",
        "50 mcg/mL",
        "lower concentration",
    ):
        assert expected in message


def test_the_refusal_writes_the_drugs_own_unit_when_the_drug_is_known() -> None:
    """Baclofen 50 mcg/day at 2 mg/mL: every dose and concentration of the refusal in mcg
    (issue 13 §2), never scaled to mg; 50 ÷ 2000 = 0.025 mL/day < 0.048 mL/day."""
    pump = reference_library().pump("synchromed-ii-20")
    with pytest.raises(FlowBelowPumpMinimum) as caught:
        check_pump_flow(
            DoseRate.from_mcg_per_day(50),
            Concentration.from_mg_per_ml(2),
            pump,
            drug_id="baclofen",
        )
    message = caught.value.message
    assert message.startswith("50 mcg/day at 2000 mcg/mL needs a flow of 0.025 mL/day")
    assert "the lowest dose this concentration allows is 96 mcg/day" in message
    assert " mg/" not in message


def test_the_same_dose_at_25_mcg_per_ml_is_programmable() -> None:
    pump = reference_library().pump("synchromed-ii-40")
    # 2.4 ÷ 25 = 0.096 mL/day ≥ 0.048
    flow = check_pump_flow(
        DoseRate.from_mcg_per_day(Decimal("2.4")), Concentration.from_mcg_per_ml(25), pump
    )
    assert flow == FlowRate.from_ml_per_day(Decimal("0.096"))


def test_a_stopped_pump_is_not_below_the_minimum_flow() -> None:
    pump = reference_library().pump("synchromed-ii-20")
    assert check_pump_flow(DoseRate(Decimal(0)), Concentration.from_mg_per_ml(25), pump).value == 0


def test_admixture_component_doses_follow_the_primary_drug_flow() -> None:
    mix = Admixture(
        components=(
            Component(drug_id="morphine", concentration=Concentration.from_mg_per_ml(10)),
            Component(drug_id="bupivacaine", concentration=Concentration.from_mg_per_ml(20)),
            Component(drug_id="clonidine", concentration=Concentration.from_mcg_per_ml(500)),
        )
    )
    flow = mix.flow_for(DoseRate.from_mg_per_day(2))  # 2 ÷ 10 = 0.2 mL/day
    doses = mix.doses_at(flow)
    assert doses["bupivacaine"] == DoseRate.from_mg_per_day(4)  # 0.2 × 20
    assert doses["clonidine"] == DoseRate.from_mcg_per_day(100)  # 0.2 × 500


def test_flex_schedule_daily_total_is_the_time_weighted_sum() -> None:
    program = InfusionProgram(
        mode=ProgramMode.FLEX,
        admixture=MORPHINE_25,
        steps=(
            FlexStep(start=Duration.hours(0), rate=DoseRate.from_mg_per_day(4)),  # 6 h → 1 mg
            FlexStep(start=Duration.hours(6), rate=DoseRate.from_mg_per_day(6)),  # 12 h → 3 mg
            FlexStep(start=Duration.hours(18), rate=DoseRate.from_mg_per_day(8)),  # 6 h → 2 mg
        ),
    )
    assert program.basal_daily_dose == DoseRate.from_mg_per_day(6)


def test_worst_case_daily_dose_adds_every_allowed_patient_bolus() -> None:
    program = InfusionProgram.continuous(
        MORPHINE_25,
        DoseRate.from_mg_per_day(5),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mg(Decimal("0.1")),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=4,
        ),
    )
    # 5 mg/day + 4 × 0.1 mg = 5.4 mg/day
    assert program.worst_case_daily_dose == DoseRate.from_mg_per_day(Decimal("5.4"))


def test_synchromed_40_ml_morphine_refill_is_bound_by_stability() -> None:
    library = reference_library()
    flow = FlowRate.from_ml_per_day(Decimal("0.2"))
    plan = plan_next_refill(
        filled_at=T0,
        reservoir=Volume.from_ml(40),
        alarm=Volume.from_ml(2),
        basal_flow=flow,
        worst_case_flow=flow,
        admixture=MORPHINE_25,
        drugs={"morphine": library.drug("morphine")},
        policy=ClinicPolicy(),
    )
    assert plan.basal.to_alarm == Duration.days(190)  # (40 − 2) ÷ 0.2
    assert plan.basal.to_empty == Duration.days(200)  # 40 ÷ 0.2
    assert plan.binding is RefillLimit.STABILITY
    assert plan.due == T0 + dt.timedelta(days=90)


def test_patient_boluses_bring_the_refill_date_forward() -> None:
    library = reference_library()
    plan = plan_next_refill(
        filled_at=T0,
        reservoir=Volume.from_ml(20),
        alarm=Volume.from_ml(2),
        basal_flow=FlowRate.from_ml_per_day(Decimal("0.4")),  # 45 days to alarm
        worst_case_flow=FlowRate.from_ml_per_day(Decimal("0.6")),  # 18 ÷ 0.6 = 30 days
        admixture=MORPHINE_25,
        drugs={"morphine": library.drug("morphine")},
        policy=ClinicPolicy(refill_margin=Duration.days(3)),
    )
    assert plan.binding is RefillLimit.LOW_RESERVOIR_ALARM
    assert plan.due == T0 + dt.timedelta(days=27)  # 30 − 3 margin


def test_first_ziconotide_fill_must_be_refilled_within_14_days() -> None:
    library = reference_library()
    mix = Admixture.single("ziconotide", Concentration.from_mcg_per_ml(25))
    flow = FlowRate.from_ml_per_day(Decimal("0.096"))
    plan = plan_next_refill(
        filled_at=T0,
        reservoir=Volume.from_ml(20),
        alarm=Volume.from_ml(2),
        basal_flow=flow,
        worst_case_flow=flow,
        admixture=mix,
        drugs={"ziconotide": library.drug("ziconotide")},
        policy=ClinicPolicy(),
        naive_pump_first_fill=True,
    )
    assert plan.binding is RefillLimit.FIRST_FILL
    assert plan.due == T0 + dt.timedelta(days=14)


def test_unknown_stability_falls_back_to_the_clinic_maximum_and_says_so() -> None:
    library = reference_library()
    mix = Admixture.single("hydromorphone", Concentration.from_mg_per_ml(10))
    flow = FlowRate.from_ml_per_day(Decimal("0.05"))
    plan = plan_next_refill(
        filled_at=T0,
        reservoir=Volume.from_ml(20),
        alarm=Volume.from_ml(2),
        basal_flow=flow,
        worst_case_flow=flow,
        admixture=mix,
        drugs={"hydromorphone": library.drug("hydromorphone")},
        policy=ClinicPolicy(max_refill_interval=Duration.days(120)),
    )
    assert plan.unknown_stability == ("hydromorphone",)
    assert plan.binding is RefillLimit.CLINIC_MAXIMUM  # alarm: 18 ÷ 0.05 = 360 days


def test_a_reservoir_below_its_alarm_has_no_time_left_before_the_alarm() -> None:
    forecast = forecast_reservoir(
        reservoir=Volume.from_ml(1), alarm=Volume.from_ml(2), flow=FlowRate.from_ml_per_day(1)
    )
    assert forecast.to_alarm == Duration.days(0)
    assert forecast.to_empty == Duration.days(1)


def test_priming_bolus_fills_catheter_and_pump_path() -> None:
    # Prometra catheter: 80 cm × 0.0026 mL/cm = 0.208 mL; + 0.25 mL pump path = 0.458 mL
    catheter = reference_library().catheter("prometra-catheter")
    plan = priming_bolus(
        catheter_volume=catheter.dead_space(Decimal(80)),
        pump_internal_volume=Volume.from_ml(Decimal("0.25")),
    )
    assert plan.volume == Volume.from_ml(Decimal("0.458"))


def test_bridge_bolus_keeps_the_old_dose_rate_and_shows_the_underdose_without_it() -> None:
    plan = bridge_bolus(
        dead_space=Volume.from_ml(Decimal("0.5")),
        old_concentration=Concentration.from_mg_per_ml(10),
        old_daily_dose=DoseRate.from_mg_per_day(2),
        new_concentration=Concentration.from_mg_per_ml(20),
        new_daily_dose=DoseRate.from_mg_per_day(2),
    )
    assert plan.flow == FlowRate.from_ml_per_day(Decimal("0.2"))  # 2 ÷ 10
    assert plan.duration == Duration.hours(60)  # 0.5 ÷ 0.2 = 2.5 days
    assert plan.old_drug_delivered == Mass.from_mg(5)  # 0.5 × 10
    assert plan.lag_without_bridge == Duration.days(5)  # new flow 0.1; 0.5 ÷ 0.1
    assert plan.dose_during_lag_without_bridge == DoseRate.from_mg_per_day(
        1
    )  # 0.1 × 10: half the dose


def test_mme_of_oxycodone_and_a_fentanyl_patch_is_120_with_the_table_named() -> None:
    table = reference_library().mme_table()
    result = calculate_mme(
        [
            OpioidDose(drug="oxycodone", daily_dose=DoseRate.from_mg_per_day(40)),  # 40 × 1.5 = 60
            OpioidDose(
                drug="fentanyl-transdermal", daily_dose=DoseRate.of(25, MassUnit.MCG, TimeUnit.HOUR)
            ),  # 25 × 2.4 = 60
        ],
        table,
    )
    assert result.total_mme == Decimal(120)
    assert result.table_id == "cdc-2022"
    assert result.intrathecal_morphine_equivalent == DoseRate.from_mg_per_day(
        Decimal("0.4")
    )  # 120 ÷ 300


def test_mme_tables_differ_for_hydromorphone_and_methadone_and_say_which_was_used() -> None:
    library = reference_library()
    doses = [
        OpioidDose(drug="hydromorphone", daily_dose=DoseRate.from_mg_per_day(10)),
        OpioidDose(drug="methadone", daily_dose=DoseRate.from_mg_per_day(30)),
    ]
    new = calculate_mme(doses, library.mme_table("cdc-2022"))
    old = calculate_mme(doses, library.mme_table("cdc-2016"))
    assert new.total_mme == Decimal(191)  # 10 × 5 + 30 × 4.7 = 50 + 141
    assert old.total_mme == Decimal(280)  # 10 × 4 + 30 × 8 (21–40 mg tier) = 40 + 240
    assert (new.table_id, old.table_id) == ("cdc-2022", "cdc-2016")


def test_an_opioid_missing_from_the_table_is_an_error_not_a_zero() -> None:
    with pytest.raises(UnknownReference, match="tramadol"):
        calculate_mme(
            [OpioidDose(drug="tramadol", daily_dose=DoseRate.from_mg_per_day(100))],
            reference_library().mme_table("cdc-2016"),
        )


def test_the_volume_left_by_the_record_is_the_fill_less_flow_times_time_and_never_negative() -> (
    None
):
    flow = FlowRate.from_ml_per_day(Decimal("0.2"))
    assert volume_left(
        filled=Volume.from_ml(20), flow=flow, elapsed=Duration.days(10)
    ) == Volume.from_ml(18)
    assert volume_left(filled=Volume.from_ml(20), flow=flow, elapsed=Duration.days(150)) == (
        Volume.from_ml(0)
    )
