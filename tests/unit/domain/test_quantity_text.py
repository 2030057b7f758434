from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain import errors
from thecal.domain.quantity_text import (
    UNITS,
    format_quantity,
    parse_concentration,
    parse_dose_rate,
    parse_flow_rate,
    parse_quantity,
    parse_volume,
)
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
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5 mg/day", DoseRate.from_mcg_per_day(500)),
        ("500 mcg/mL", Concentration.from_mcg_per_ml(500)),
        ("0.048 mL/day", FlowRate.from_ml_per_day(Decimal("0.048"))),
        ("25 mcg/h", DoseRate.from_mcg_per_day(600)),
        ("25 mg/mL", Concentration.from_mcg_per_ml(25000)),
        ("40 mL", Volume.from_ml(40)),
        ("10 µL", Volume.from_ml(Decimal("0.01"))),
        ("10 μL", Volume.from_ml(Decimal("0.01"))),  # Greek mu is folded to the micro sign
        ("0.1 mg", Mass.from_mcg(100)),
        ("90 days", Duration.days(90)),
        ("24 h", Duration.hours(24)),
        ("  5mg / day ", DoseRate.from_mcg_per_day(5000)),
        ("2.50 mL", Volume.from_ml(Decimal("2.5"))),
    ],
)
def test_valid_text_parses_to_the_exact_quantity(text: str, expected: object) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", errors.EmptyQuantity),
        ("   ", errors.EmptyQuantity),
        (".5 mg", errors.NakedDecimal),
        ("2,5 mL", errors.CommaDecimal),
        ("1,000 mcg", errors.CommaDecimal),
        ("1.2.5 mg", errors.MultipleDecimalPoints),
        ("25", errors.MissingUnit),
        ("25 mgs", errors.UnknownUnit),
        ("25 ug", errors.UnknownUnit),
        ("-1 mL", errors.NegativeQuantity),
        ("inf mL", errors.NonFiniteQuantity),
        ("NaN mg", errors.NonFiniteQuantity),
        ("1e3 mg", errors.MalformedNumber),
        ("05 mg", errors.MalformedNumber),
        ("1 000 mcg", errors.MalformedNumber),
        ("+5 mg", errors.MalformedNumber),
        ("mg", errors.MalformedNumber),
        ("0.0000001 mg", errors.ExcessPrecision),
        ("5. mg", errors.TrailingDecimalPoint),
    ],
)
def test_ambiguous_text_gets_its_own_error(
    text: str, error: type[errors.QuantityTextError]
) -> None:
    with pytest.raises(error) as caught:
        parse_quantity(text)
    assert caught.value.code.startswith("THC-QTY-")
    assert type(caught.value) is error


def test_a_mass_where_a_concentration_is_needed_is_refused_by_kind() -> None:
    with pytest.raises(errors.WrongQuantityKind, match="concentration"):
        parse_concentration("500 mcg")


def test_a_flow_where_a_dose_rate_is_needed_is_refused_by_kind() -> None:
    with pytest.raises(errors.WrongQuantityKind, match="dose rate"):
        parse_dose_rate("0.2 mL/day")


def test_error_codes_are_unique_across_the_tree() -> None:
    seen: dict[str, str] = {}

    def walk(cls: type[errors.ThecalError]) -> None:
        assert cls.code not in seen or seen[cls.code] == cls.__name__, cls.code
        seen[cls.code] = cls.__name__
        for sub in cls.__subclasses__():
            walk(sub)

    walk(errors.ThecalError)
    assert len(seen) > 25


def test_display_never_uses_naked_decimals_or_trailing_zeros() -> None:
    assert format_quantity(Volume.from_ml(Decimal("0.50"))) == "0.5 mL"
    assert format_quantity(DoseRate.from_mcg_per_day(500), mass=MassUnit.MG) == "0.5 mg/day"
    assert format_quantity(FlowRate.from_ml_per_day(Decimal("0.200"))) == "0.2 mL/day"


def test_shortened_display_says_it_is_approximate() -> None:
    third = FlowRate.from_ml_per_day(Decimal(1) / Decimal(3))
    assert format_quantity(third, places=3) == "≈ 0.333 mL/day"
    assert format_quantity(FlowRate.from_ml_per_day(Decimal("0.25")), places=3) == "0.25 mL/day"


amounts = st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=6, allow_nan=False)


@given(amounts, st.sampled_from(list(MassUnit)), st.sampled_from([TimeUnit.DAY, TimeUnit.HOUR]))
def test_dose_rates_round_trip_through_text(amount: Decimal, mass: MassUnit, per: TimeUnit) -> None:
    quantity = DoseRate.of(amount, mass, per)
    assert parse_dose_rate(format_quantity(quantity, mass=mass, per=per)) == quantity


@given(amounts, st.sampled_from(list(MassUnit)))
def test_concentrations_round_trip_through_text(amount: Decimal, mass: MassUnit) -> None:
    quantity = Concentration.of(amount, mass)
    assert parse_concentration(format_quantity(quantity, mass=mass)) == quantity


@given(amounts, st.sampled_from(list(VolumeUnit)))
def test_volumes_and_flows_round_trip_through_text(amount: Decimal, unit: VolumeUnit) -> None:
    assert parse_volume(format_quantity(Volume.of(amount, unit), volume=unit)) == Volume.of(
        amount, unit
    )
    flow = FlowRate.of(amount, unit)
    assert parse_flow_rate(format_quantity(flow, volume=unit)) == flow


@given(st.text(alphabet="0123456789.,-+ eE/mgcLlhdayµu", max_size=14))
def test_the_parser_returns_an_exact_value_or_a_specific_error(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except errors.QuantityTextError:
        return
    # Accepted text is exactly "<digits>[.<digits>] <unit>" and means that number in that unit.
    match = re.fullmatch(r"\s*([1-9][0-9]*|0)(\.[0-9]+)?\s*(\S.*?)\s*", text)
    assert match is not None, text
    unit = UNITS[re.sub(r"\s+", "", match.group(3)).lower()]
    assert quantity == unit.build(Decimal(match.group(1) + (match.group(2) or "")))
