"""Oswestry Disability Index: percent score, missing sections and bands."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments import (
    ODI_ITEMS,
    AnswerNotWholeNumber,
    AnswerOutOfRange,
    OdiBand,
    OdiResponse,
    UnknownItem,
    WrongItemCount,
    score_odi,
)


def test_a_complete_form_scores_sum_over_fifty_times_one_hundred() -> None:
    # 3+2+1+4+2+3+1+0+2+2 = 20 of 50 → 40 % → moderate
    score = score_odi(OdiResponse(sections=(3, 2, 1, 4, 2, 3, 1, 0, 2, 2)))
    assert score.percent == Decimal(40)
    assert score.band is OdiBand.MODERATE
    assert score.answered == 10
    assert score.missing_sections == ()
    assert not score.is_partial


def test_a_blank_section_is_left_out_of_the_denominator() -> None:
    # 9 answered, sum 18: 18 / 45 × 100 = 40 exactly
    score = score_odi(OdiResponse(sections=(2, 2, 2, 2, 2, 2, 2, None, 2, 2)))
    assert score.percent == Decimal(40)
    assert score.missing_sections == (8,)
    assert score.is_partial


def test_a_non_terminating_percent_keeps_28_significant_digits() -> None:
    # 9 answered, sum 11: 11 / 45 × 100 = 24.444…
    score = score_odi(OdiResponse(sections=(2, 2, 1, 1, 1, 1, 1, None, 1, 1)))
    assert score.percent == Decimal("24.44444444444444444444444444")
    assert score.band is OdiBand.MODERATE


def test_two_blank_sections_are_scored_by_default_and_three_are_not() -> None:
    two_blank = score_odi(OdiResponse(sections=(1, 1, 1, 1, 1, 1, 1, 1, None, None)))
    assert two_blank.percent == Decimal(20)  # 8 of 40
    three_blank = score_odi(OdiResponse(sections=(1, 1, 1, 1, 1, 1, 1, None, None, None)))
    assert three_blank.percent is None
    assert three_blank.band is None
    assert three_blank.missing_sections == (8, 9, 10)
    assert three_blank.unscored_reason == "3 of 10 sections unanswered; at most 2 may be missing"


def test_the_clinic_may_allow_more_blank_sections() -> None:
    # 7 answered, each 5: 35 / 35 = 100 %
    score = score_odi(
        OdiResponse(sections=(5, 5, 5, 5, 5, 5, 5, None, None, None)), max_missing_sections=3
    )
    assert score.percent == Decimal(100)
    assert score.band is OdiBand.BED_BOUND


@pytest.mark.parametrize("allowed", [-1, 10])
def test_a_missing_section_limit_outside_0_to_9_is_refused(allowed: int) -> None:
    with pytest.raises(ValueOutOfRange):
        score_odi(OdiResponse(sections=(0,) * 10), max_missing_sections=allowed)


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        ("0", OdiBand.MINIMAL),
        ("20", OdiBand.MINIMAL),
        ("20.5", OdiBand.MODERATE),
        ("40", OdiBand.MODERATE),
        ("41", OdiBand.SEVERE),
        ("60", OdiBand.SEVERE),
        ("61", OdiBand.CRIPPLED),
        ("80", OdiBand.CRIPPLED),
        ("81", OdiBand.BED_BOUND),
        ("100", OdiBand.BED_BOUND),
    ],
)
def test_bands_include_their_upper_bound(percent: str, band: OdiBand) -> None:
    assert OdiBand.of(Decimal(percent)) is band


def test_section_four_answered_six_is_refused_with_the_numbers() -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        OdiResponse(sections=(0, 0, 0, 6, 0, 0, 0, 0, 0, 0))
    assert caught.value.message == "ODI section 4 answer 6 is outside 0–5"
    assert caught.value.code == "THC-PRO-001"


def test_a_float_answer_is_refused() -> None:
    with pytest.raises(AnswerNotWholeNumber):
        OdiResponse(sections=(0, 0, 0, 2.0, 0, 0, 0, 0, 0, 0))  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [9, 11])
def test_a_form_without_exactly_ten_sections_is_refused(count: int) -> None:
    with pytest.raises(WrongItemCount) as caught:
        OdiResponse(sections=(0,) * count)
    assert caught.value.message == f"ODI form has 10 items, got {count}"


def test_answers_are_read_by_section_name_in_questionnaire_order() -> None:
    response = OdiResponse.from_answers({"pain_intensity": 3, "walking": 4, "travelling": 1})
    assert response.sections == (3, None, None, 4, None, None, None, None, None, 1)
    assert ODI_ITEMS[3] == "walking"


def test_an_unknown_section_name_is_refused() -> None:
    with pytest.raises(UnknownItem):
        OdiResponse.from_answers({"driving": 2})


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_every_odi_score_lies_between_0_and_100(sections: list[int | None]) -> None:
    score = score_odi(OdiResponse(sections=tuple(sections)), max_missing_sections=9)
    if score.percent is None:
        assert all(section is None for section in sections)
    else:
        assert 0 <= score.percent <= 100
        assert score.answered + len(score.missing_sections) == 10
