"""Worked examples with hand-derived numbers: the twin against arithmetic a clinician can check."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from conftest import MORPHINE_10, MORPHINE_25
from thecal.domain.admixture import Admixture
from thecal.domain.dosing import bridge_bolus
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume, VolumeUnit
from thecal.simulation.errors import PatientBolusNotAllowed, ReservoirOverfill, TelemetryFailure
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Leak,
    MotorStall,
    Occlusion,
)
from thecal.simulation.faults import TelemetryFailure as NoLink
from thecal.simulation.status import CommandOutcome
from thecal.simulation.twin import PumpTwin

MakeTwin = Callable[..., PumpTwin]


def _running(twin: PumpTwin, dose: str = "5", admixture: Admixture = MORPHINE_25) -> PumpTwin:
    twin.inject(Volume.from_ml(20), admixture)
    twin.program(InfusionProgram.continuous(admixture, DoseRate.from_mg_per_day(Decimal(dose))))
    return twin


def test_0_2_ml_per_day_for_10_days_delivers_exactly_2_ml(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())  # 5 mg/day ÷ 25 mg/mL = 0.2 mL/day
    twin.advance_by(Duration.days(10))
    assert twin.truth.tip == Volume.from_ml(2)
    assert twin.truth.tip_mass == {"morphine": Mass.from_mg(50)}
    assert twin.belief.reservoir == Volume.from_ml(18)
    assert twin.truth.reservoir == Volume.from_ml(18)


def test_tip_lag_is_dead_space_divided_by_flow(make_twin: MakeTwin) -> None:
    twin = _running(make_twin(primed=None))  # fresh implant, CSF in the catheter, no priming
    dead_space = Volume(Decimal(60) * Decimal("0.0026")) + Volume(Decimal("0.2"))
    assert twin.dead_space == dead_space  # 0.356 mL
    lag_us = int(dead_space.ml / Decimal("0.2") * 86_400 * 1_000_000)  # 1.78 days
    twin.advance_to_us(lag_us)
    assert twin.truth.tip == dead_space
    assert twin.truth.tip_mass.get("morphine", Mass(Decimal(0))) == Mass(Decimal(0))
    twin.advance_to_us(lag_us + 86_400_000_000)
    assert twin.truth.tip_mass["morphine"] == Mass.from_mg(5)


def test_priming_bolus_fills_the_dead_space_before_the_program(make_twin: MakeTwin) -> None:
    twin = _running(make_twin(primed=None))
    plan = twin.priming_bolus()
    assert plan.volume == Volume(Decimal("0.356"))
    twin.advance_by(Duration.hours(1))  # 0.356 mL at 24 mL/day takes 21.36 min
    assert twin.truth.path_contents[0][1] == "morphine 25 mg/mL"
    assert twin.truth.path_contents[-1][1] == "morphine 25 mg/mL"


@pytest.mark.parametrize("with_bridge", [True, False])
def test_concentration_change_tip_dose_matches_the_domain_bridge_maths(
    make_twin: MakeTwin, with_bridge: bool
) -> None:
    twin = _running(make_twin(primed=MORPHINE_10), dose="3", admixture=MORPHINE_10)
    twin.advance_by(Duration.days(1))
    twin.withdraw_residual()
    twin.inject(Volume.from_ml(20), MORPHINE_25)
    new = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(3))
    plan = bridge_bolus(
        dead_space=twin.dead_space,
        old_concentration=MORPHINE_10.primary.concentration,
        old_daily_dose=DoseRate.from_mg_per_day(3),
        new_concentration=MORPHINE_25.primary.concentration,
        new_daily_dose=DoseRate.from_mg_per_day(3),
    )
    if with_bridge:
        twin.bridge_bolus(new)
    else:
        twin.program(new)
    before = twin.truth.tip_mass["morphine"]
    lag = plan.duration if with_bridge else plan.lag_without_bridge
    twin.advance_by(lag)
    during = twin.truth.tip_mass["morphine"] - before
    if with_bridge:
        assert during == plan.old_drug_delivered == Mass.from_mg(Decimal("3.56"))  # old dose kept
    else:
        assert during == plan.dose_during_lag_without_bridge * lag  # 1.2 mg/day: under-dose
        assert plan.dose_during_lag_without_bridge == DoseRate.from_mg_per_day(Decimal("1.2"))


def test_accuracy_bias_moves_more_than_the_pump_counts(make_twin: MakeTwin) -> None:
    twin = _running(make_twin(bias="2.5"))
    twin.advance_by(Duration.days(10))
    assert twin.belief.delivered == Volume.from_ml(2)
    assert twin.truth.tip == Volume(Decimal("2.05"))  # +2.5 % (S46)
    assert twin.truth.reservoir == Volume(Decimal("17.95"))


def test_valve_gated_pump_delivers_whole_strokes_never_ahead_by_more_than_one(
    make_twin: MakeTwin,
) -> None:
    twin = _running(make_twin("prometra-ii-20"))  # 0.2 mL/day in 2 µL strokes: 100 a day
    stroke = Volume.of(2, VolumeUnit.UL)
    for minutes in (1, 7, 14, 15, 29, 60, 61, 1440):
        twin.advance_to_us(minutes * 60_000_000)
        delivered = twin.belief.delivered
        programmed = Volume(Decimal("0.2") * Decimal(minutes) / 1440)
        assert (delivered / stroke) == int(delivered / stroke)
        assert delivered <= programmed + stroke
        assert delivered >= programmed - stroke
    assert twin.belief.delivered == Volume(Decimal("0.2"))


def test_patient_bolus_denied_inside_lockout_and_over_the_daily_maximum(
    make_twin: MakeTwin,
) -> None:
    twin = make_twin()
    twin.inject(Volume.from_ml(20), MORPHINE_25)
    settings = PatientBolusSettings(
        dose=Mass.from_mg(Decimal("0.5")),
        duration=Duration.minutes(10),
        lockout=Duration.hours(2),
        max_per_day=3,
    )
    twin.program(
        InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(5), patient_bolus=settings)
    )
    answers = []
    for hour in (0, 1, 2, 4, 6, 25):
        twin.advance_to_us(hour * 3_600_000_000 + 1)
        answers.append(twin.request_patient_bolus().reason)
    assert answers == ["granted", "lockout", "granted", "granted", "daily maximum", "granted"]
    twin.advance_by(Duration.hours(1))
    log = twin.interrogate().patient_boluses
    assert [r.granted for r in log] == [True, False, True, True, False, True]


def test_a_patient_bolus_cannot_be_configured_for_baclofen(make_twin: MakeTwin) -> None:
    baclofen = Admixture.single("baclofen", Concentration.from_mcg_per_ml(2000))
    twin = make_twin(primed=baclofen)
    settings = PatientBolusSettings(
        dose=Mass.from_mcg(50),
        duration=Duration.minutes(5),
        lockout=Duration.hours(4),
        max_per_day=2,
    )
    program = InfusionProgram.continuous(
        baclofen, DoseRate.from_mcg_per_day(400), patient_bolus=settings
    )
    with pytest.raises(PatientBolusNotAllowed) as caught:
        twin.program(program)
    assert caught.value.code == "THC-DEV-004"


def test_pocket_fill_is_invisible_to_the_pump_until_the_next_withdrawal(
    make_twin: MakeTwin,
) -> None:
    twin = _running(make_twin())
    twin.advance_by(Duration.days(30))
    assert twin.withdraw_residual() == Volume.from_ml(14)
    entered = twin.inject(Volume.from_ml(20), MORPHINE_25, pocket_percent=Decimal(60))
    assert entered == Volume.from_ml(8)
    assert twin.belief.reservoir == Volume.from_ml(20)
    assert twin.truth.pocket_mass == {"morphine": Mass.from_mg(300)}
    twin.advance_by(Duration.days(30))
    assert twin.interrogate().reservoir == Volume.from_ml(14)
    assert twin.withdraw_residual() == Volume.from_ml(2)  # 12 mL discrepancy (S75: > 1 mL)


def test_refill_larger_than_the_reservoir_is_refused(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    with pytest.raises(ReservoirOverfill):
        twin.inject(Volume.from_ml(5), MORPHINE_25)  # 20 mL believed, no withdrawal


def test_telemetry_failure_makes_outcomes_uncertain(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    twin.inject_fault(NoLink(duration=Duration.hours(1), applied=False))
    new = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(10))
    assert twin.program(new) is CommandOutcome.UNCERTAIN
    with pytest.raises(TelemetryFailure):
        twin.interrogate()
    twin.advance_by(Duration.hours(2))
    assert twin.interrogate().program != new  # it did not truly arrive


def test_occlusion_stops_the_tip_while_the_count_runs_on(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    twin.inject_fault(Occlusion(duration=Duration.days(5)))
    twin.advance_by(Duration.days(10))
    assert twin.belief.delivered == Volume.from_ml(2)
    assert twin.truth.tip == Volume.from_ml(1)
    assert twin.withdraw_residual() == Volume.from_ml(19)


def test_disconnection_sends_drug_to_tissue(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    twin.inject_fault(Leak(percent=Decimal(100)))
    twin.advance_by(Duration.days(5))
    assert twin.truth.tip == Volume(Decimal(0))
    assert twin.truth.tissue == Volume.from_ml(1)


def test_under_delivery_and_motor_stall(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    twin.inject_fault(DeliveryError(percent=Decimal(-20)))
    twin.advance_by(Duration.days(5))
    assert twin.truth.tip == Volume(Decimal("0.8"))
    twin.inject_fault(MotorStall(duration=Duration.days(1)))
    assert "motor-stall" in twin.alarms.codes()
    twin.advance_by(Duration.days(1))
    assert "motor-stall" not in twin.alarms.codes()
    assert twin.belief.delivered == Volume.from_ml(1)


def test_eri_then_end_of_service_ninety_days_later(make_twin: MakeTwin) -> None:
    twin = _running(make_twin())
    twin.inject_fault(BatteryDepletion(lost=Duration.days(2400)))
    twin.advance_by(Duration.days(200))
    status = twin.interrogate()
    assert status.eri_at is not None
    assert status.end_of_service_at is not None
    assert status.end_of_service_at - status.eri_at == Duration.days(90).to_timedelta()
    assert not status.delivering
    codes = [e.code for e in status.events]
    assert "alarm-raised:elective-replacement" in codes
    assert "alarm-raised:end-of-service" in codes


def test_mri_behaviour_of_each_pump_type(make_twin: MakeTwin) -> None:
    synchro = _running(make_twin())
    synchro.start_mri()
    assert "motor-stall" in synchro.alarms.codes()
    synchro.end_mri(recovery=Duration.hours(2))
    synchro.advance_by(Duration.hours(2))
    assert "motor-stall" not in synchro.alarms.codes()

    prometra = _running(make_twin("prometra-20"))
    prometra.start_mri()
    assert prometra.truth.reservoir == Volume(Decimal(0))
    assert prometra.truth.tip == Volume.from_ml(20)  # the dump
    assert prometra.belief.reservoir == Volume.from_ml(20)  # and the pump does not know

    fav = _running(make_twin("prometra-ii-20"))
    fav.start_mri()
    assert fav.truth.tip == Volume(Decimal("0.01"))  # ≤ 10 µL pass (S60)
    assert "valve-closed" in fav.alarms.codes()
    fav.advance_by(Duration.days(1))
    assert fav.truth.tip == Volume(Decimal("0.01"))
    fav.reset_valve()
    assert "valve-closed" not in fav.alarms.codes()
