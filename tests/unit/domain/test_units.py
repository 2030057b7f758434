from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.units import (
    Concentration,
    DoseRate,
    Duration,
    FlowRate,
    Mass,
    MassUnit,
    TimeUnit,
    Volume,
    VolumeUnit,
    plain,
)

decimals = st.decimals(min_value=Decimal(0), max_value=Decimal(10**6), places=6, allow_nan=False)


def test_concentration_times_volume_is_a_mass() -> None:
    assert Concentration.from_mg_per_ml(25) * Volume.from_ml(40) == Mass.from_mg(1000)


def test_dose_rate_divided_by_concentration_is_a_flow_rate() -> None:
    flow = DoseRate.from_mg_per_day(5) / Concentration.from_mg_per_ml(25)
    assert flow == FlowRate.from_ml_per_day(Decimal("0.2"))


def test_flow_rate_times_duration_is_a_volume() -> None:
    assert FlowRate.from_ml_per_day(Decimal("0.2")) * Duration.days(10) == Volume.from_ml(2)


def test_volume_divided_by_flow_rate_is_a_duration() -> None:
    assert Volume.from_ml(38) / FlowRate.from_ml_per_day(Decimal("0.2")) == Duration.days(190)


def test_dose_rate_times_duration_is_a_mass() -> None:
    assert DoseRate.from_mcg_per_day(24) * Duration.hours(12) == Mass.from_mcg(12)


def test_micrograms_per_hour_convert_to_per_day_exactly() -> None:
    assert DoseRate.of(25, MassUnit.MCG, TimeUnit.HOUR).mcg_per_day == Decimal(600)


def test_milligrams_and_micrograms_convert_only_explicitly() -> None:
    dose = Mass.from_mg(Decimal("0.5"))
    assert dose.mcg == Decimal(500)
    assert dose.mg == Decimal("0.5")
    assert dose.to(MassUnit.MCG) == Decimal(500)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        Mass.from_mg(0.5)  # type: ignore[arg-type]


def test_booleans_are_refused() -> None:
    with pytest.raises(TypeError, match="bool"):
        Volume.from_ml(True)


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        Volume(Decimal("NaN"))


def test_dimensionally_invalid_arithmetic_raises_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Mass.from_mg(1) + Volume.from_ml(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Mass.from_mg(1) < Volume.from_ml(1)  # type: ignore[operator]


def test_durations_round_trip_through_timedelta() -> None:
    delta = dt.timedelta(days=3, hours=4, microseconds=5)
    assert Duration.from_timedelta(delta).to_timedelta() == delta


def test_plain_never_writes_trailing_zeros_or_naked_decimals() -> None:
    assert plain(Decimal("0.500")) == "0.5"
    assert plain(Decimal(100)) == "100"
    assert plain(Decimal("1E+2")) == "100"
    assert plain(Decimal("0.0")) == "0"


def test_string_forms_pick_the_readable_mass_unit() -> None:
    assert str(Mass.from_mcg(1500)) == "1.5 mg"
    assert str(Mass.from_mcg(500)) == "500 mcg"
    assert str(Concentration.from_mcg_per_ml(100)) == "100 mcg/mL"
    assert str(Duration.days(190)) == "190 days"


@given(decimals)
def test_mass_conversions_are_exact(value: Decimal) -> None:
    mass = Mass.of(value, MassUnit.MG)
    assert mass.mcg == value * 1000
    assert mass.to(MassUnit.MG) == value


@given(decimals)
def test_volume_conversions_are_exact(value: Decimal) -> None:
    assert Volume.of(value, VolumeUnit.UL).ml * 1000 == value


@given(decimals.filter(lambda d: d > 0), decimals.filter(lambda d: d > 0))
def test_flow_from_dose_and_back_recovers_the_dose(dose: Decimal, conc: Decimal) -> None:
    rate = DoseRate.from_mcg_per_day(dose)
    concentration = Concentration.from_mcg_per_ml(conc)
    back = (rate / concentration) * concentration
    assert abs(back.value - rate.value) <= rate.value * Decimal("1e-25")
