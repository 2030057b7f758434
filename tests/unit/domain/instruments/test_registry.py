"""The registry: stable instrument codes and scoring raw answers by code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.errors import InvalidInput
from thecal.domain.instruments import (
    BpiScore,
    Eq5d5lScore,
    Instrument,
    NrsScore,
    OdiScore,
    Pgic,
    PgicScore,
    ScoringRules,
    UnknownInstrument,
    score_responses,
)
from thecal.domain.instruments import errors as instrument_errors


def test_instrument_codes_are_stable() -> None:
    assert [instrument.value for instrument in Instrument] == [
        "nrs",
        "bpi-sf",
        "odi",
        "pgic",
        "eq5d5l",
    ]


def test_an_instrument_is_found_by_its_code() -> None:
    assert Instrument.from_code("bpi-sf") is Instrument.BPI_SF


def test_an_unknown_code_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(UnknownInstrument) as caught:
        Instrument.from_code("sf-36")
    assert caught.value.message == (
        "unknown instrument 'sf-36'; known instruments are nrs, bpi-sf, odi, pgic, eq5d5l"
    )


def test_each_instrument_scores_raw_answers_to_its_own_score_type() -> None:
    nrs = score_responses(Instrument.NRS, {"pain": 6})
    assert isinstance(nrs, NrsScore)
    assert nrs.pain == 6
    bpi = score_responses(Instrument.BPI_SF, {"worst": 6, "least": 2, "average": 4, "now": 4})
    assert isinstance(bpi, BpiScore)
    assert bpi.severity == 4
    odi = score_responses(Instrument.ODI, dict.fromkeys(Instrument.ODI.items, 1))
    assert isinstance(odi, OdiScore)
    assert odi.percent == 20
    pgic = score_responses(Instrument.PGIC, {"change": 3})
    assert isinstance(pgic, PgicScore)
    assert pgic.category is Pgic.MINIMALLY_IMPROVED
    eq5d = score_responses(Instrument.EQ5D5L, {"mobility": 1, "vas": 70})
    assert isinstance(eq5d, Eq5d5lScore)
    assert eq5d.vas == Decimal(70)


def test_scoring_rules_reach_the_instrument() -> None:
    answers: dict[str, int | None] = dict.fromkeys(Instrument.ODI.items[:7], 2)
    default = score_responses(Instrument.ODI, answers)
    assert isinstance(default, OdiScore)
    assert default.percent is None
    lenient = score_responses(
        Instrument.ODI, answers, rules=ScoringRules(odi_max_missing_sections=3)
    )
    assert isinstance(lenient, OdiScore)
    assert lenient.percent == Decimal(40)  # 14 of 35


def test_every_instrument_error_is_invalid_input_with_its_own_code() -> None:
    leaves = [
        getattr(instrument_errors, name)
        for name in instrument_errors.__all__
        if name != "InstrumentInputError"
    ]
    codes = [leaf.code for leaf in leaves]
    assert all(issubclass(leaf, InvalidInput) for leaf in leaves)
    assert all(code.startswith("THC-PRO-") for code in codes)
    assert len(set(codes)) == len(codes) == 9
    assert instrument_errors.InstrumentInputError.code not in codes


def test_an_error_renders_its_numbers_and_serialises_them() -> None:
    error = instrument_errors.AnswerOutOfRange(
        instrument="ODI", item="section 4", value=6, low=0, high=5
    )
    assert error.to_dict() == {
        "code": "THC-PRO-001",
        "error": "AnswerOutOfRange",
        "message": "ODI section 4 answer 6 is outside 0–5",
        "fields": {"instrument": "ODI", "item": "section 4", "value": "6", "low": "0", "high": "5"},
    }
