"""Brief Pain Inventory short form: severity, interference and their missing-item rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments import (
    AnswerNotWholeNumber,
    AnswerOutOfRange,
    BpiResponse,
    BpiSeverityBand,
    UnknownItem,
    WrongItemCount,
    score_bpi,
)


def test_severity_is_the_mean_of_worst_least_average_and_now() -> None:
    # (8 + 3 + 5 + 6) / 4 = 22 / 4 = 5.5; the band is of worst pain 8 → severe (the mean's
    # 5.5 would have read "moderate": the bands were derived for the worst-pain item)
    score = score_bpi(BpiResponse(worst=8, least=3, average=5, now=6))
    assert score.severity == Decimal("5.5")
    assert score.worst_pain == Decimal(8)
    assert score.worst_pain_band is BpiSeverityBand.SEVERE
    assert score.severity_unscored_reason is None
    assert score.average_pain == Decimal(5)


def test_interference_is_the_mean_of_all_seven_when_all_are_answered() -> None:
    # 2 + 4 + 6 + 8 + 3 + 5 + 7 = 35; 35 / 7 = 5
    score = score_bpi(BpiResponse(interference=(2, 4, 6, 8, 3, 5, 7)))
    assert score.interference == Decimal(5)
    assert score.interference_answered == 7


def test_interference_is_the_mean_of_the_answered_items_when_four_are_answered() -> None:
    # 1 + 2 + 3 + 6 = 12 over 4 answered = 3
    score = score_bpi(BpiResponse(interference=(1, None, 2, None, 3, None, 6)))
    assert score.interference == Decimal(3)
    assert score.interference_answered == 4


def test_interference_with_three_of_seven_answered_is_unscored_with_a_reason() -> None:
    score = score_bpi(BpiResponse(interference=(1, None, 2, None, 3, None, None)))
    assert score.interference is None
    assert score.interference_unscored_reason == (
        "3 of 7 interference items answered; at least 4 needed"
    )


def test_severity_with_a_blank_item_is_unscored_by_default() -> None:
    score = score_bpi(BpiResponse(worst=8, least=3, average=5))
    assert score.severity is None
    assert score.worst_pain_band is BpiSeverityBand.SEVERE  # worst pain 8 was answered
    assert score.severity_unscored_reason == "3 of 4 severity items answered; at least 4 needed"


def test_severity_with_three_items_is_scored_when_the_clinic_allows_three() -> None:
    # (8 + 3 + 4) / 3 = 5
    score = score_bpi(BpiResponse(worst=8, least=3, average=4), min_severity_items=3)
    assert score.severity == Decimal(5)


@pytest.mark.parametrize(
    ("answers", "band"),
    [
        ((4, 4, 4, 4), BpiSeverityBand.MILD),  # worst 4
        ((4, 0, 0, 0), BpiSeverityBand.MILD),  # worst 4
        ((5, 0, 1, 0), BpiSeverityBand.MODERATE),  # worst 5 (mean 1.5)
        ((6, 6, 6, 6), BpiSeverityBand.MODERATE),  # worst 6
        ((7, 2, 3, 2), BpiSeverityBand.SEVERE),  # worst 7 (mean 3.5 would be "mild")
        ((10, 10, 10, 10), BpiSeverityBand.SEVERE),
    ],
)
def test_severity_bands_apply_to_worst_pain_mild_to_4_moderate_5_6_severe_from_7(
    answers: tuple[int, int, int, int], band: BpiSeverityBand
) -> None:
    worst, least, average, now = answers
    score = score_bpi(BpiResponse(worst=worst, least=least, average=average, now=now))
    assert score.worst_pain_band is band


def test_answers_read_from_a_dict_by_item_name() -> None:
    response = BpiResponse.from_answers(
        {"worst": 9, "least": 2, "average": 5, "now": 4, "sleep": 8, "mood": 3}
    )
    assert response.severity_answers == (9, 2, 5, 4)
    assert response.interference == (None, 3, None, None, None, 8, None)


def test_an_unknown_item_name_is_refused() -> None:
    with pytest.raises(UnknownItem):
        BpiResponse.from_answers({"worst": 9, "appetite": 3})


def test_an_answer_of_eleven_is_refused_with_the_item_named() -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        BpiResponse(worst=11)
    assert caught.value.message == "BPI-SF worst answer 11 is outside 0–10"


def test_an_interference_answer_that_is_a_bool_is_refused() -> None:
    with pytest.raises(AnswerNotWholeNumber):
        BpiResponse(interference=(True, 1, 1, 1, 1, 1, 1))


def test_six_interference_items_are_refused() -> None:
    with pytest.raises(WrongItemCount) as caught:
        BpiResponse(interference=(1, 1, 1, 1, 1, 1))
    assert caught.value.message == "BPI-SF interference has 7 items, got 6"


@pytest.mark.parametrize(("severity", "interference"), [(0, 4), (5, 4), (4, 0), (4, 8)])
def test_minimum_item_counts_outside_their_range_are_refused(
    severity: int, interference: int
) -> None:
    with pytest.raises(ValueOutOfRange):
        score_bpi(BpiResponse(), min_severity_items=severity, min_interference_items=interference)


answer = st.one_of(st.none(), st.integers(min_value=0, max_value=10))


@given(severity=st.tuples(answer, answer, answer, answer), interference=st.tuples(*[answer] * 7))
def test_every_computed_score_lies_between_0_and_10(
    severity: tuple[int | None, ...], interference: tuple[int | None, ...]
) -> None:
    worst, least, average, now = severity
    score = score_bpi(
        BpiResponse(worst=worst, least=least, average=average, now=now, interference=interference)
    )
    for value in (score.severity, score.interference):
        assert value is None or 0 <= value <= 10
    assert (score.interference is None) == (score.interference_answered < 4)
