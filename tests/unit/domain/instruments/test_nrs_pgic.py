"""NRS and PGIC: single-item instruments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.instruments import (
    AnswerNotWholeNumber,
    AnswerOutOfRange,
    NotAnImprovementCategory,
    NrsResponse,
    Pgic,
    PgicResponse,
    RequiredAnswerMissing,
    UnknownItem,
    score_nrs,
    score_pgic,
)


def test_nrs_score_is_the_number_ticked_as_an_exact_decimal() -> None:
    assert score_nrs(NrsResponse(pain=7)).pain == Decimal(7)


@pytest.mark.parametrize("pain", [0, 10])
def test_nrs_accepts_both_ends_of_the_scale(pain: int) -> None:
    assert score_nrs(NrsResponse.from_answers({"pain": pain})).pain == pain


@pytest.mark.parametrize("pain", [-1, 11])
def test_nrs_refuses_a_pain_outside_zero_to_ten(pain: int) -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        NrsResponse(pain=pain)
    assert caught.value.message == f"NRS pain answer {pain} is outside 0–10"


@pytest.mark.parametrize("pain", [True, 5.0, "5", Decimal(5)])
def test_nrs_refuses_a_pain_that_is_not_an_int_even_a_bool(pain: object) -> None:
    with pytest.raises(AnswerNotWholeNumber) as caught:
        NrsResponse(pain=pain)  # type: ignore[arg-type]
    assert type(pain).__name__ in caught.value.message


def test_nrs_refuses_a_blank_pain() -> None:
    with pytest.raises(RequiredAnswerMissing):
        NrsResponse.from_answers({})
    with pytest.raises(RequiredAnswerMissing):
        NrsResponse(pain=None)  # type: ignore[arg-type]


def test_nrs_refuses_an_answer_key_it_does_not_have() -> None:
    with pytest.raises(UnknownItem) as caught:
        NrsResponse.from_answers({"pain": 3, "mood": 2})
    assert "'mood'" in caught.value.message


def test_pgic_numbers_follow_the_form_from_very_much_improved_to_very_much_worse() -> None:
    assert [category.value for category in Pgic] == list(range(1, 8))
    assert Pgic(1).label == "very much improved"
    assert Pgic(4).label == "no change"
    assert Pgic(7).label == "very much worse"


def test_pgic_counts_minimally_improved_or_better_as_improved_by_default() -> None:
    improved = [category for category in Pgic if category.is_improved()]
    assert improved == [Pgic.VERY_MUCH_IMPROVED, Pgic.MUCH_IMPROVED, Pgic.MINIMALLY_IMPROVED]


def test_pgic_threshold_of_much_improved_leaves_minimally_improved_out() -> None:
    assert Pgic.MUCH_IMPROVED.is_improved(Pgic.MUCH_IMPROVED)
    assert not Pgic.MINIMALLY_IMPROVED.is_improved(Pgic.MUCH_IMPROVED)


@pytest.mark.parametrize("threshold", [Pgic.NO_CHANGE, Pgic.MINIMALLY_WORSE, Pgic.VERY_MUCH_WORSE])
def test_pgic_refuses_a_threshold_that_would_call_no_change_improved(threshold: Pgic) -> None:
    with pytest.raises(NotAnImprovementCategory):
        Pgic.MUCH_IMPROVED.is_improved(threshold)


def test_pgic_scores_the_category_ticked() -> None:
    assert score_pgic(PgicResponse.from_answers({"change": 2})).category is Pgic.MUCH_IMPROVED


@pytest.mark.parametrize("change", [0, 8])
def test_pgic_refuses_an_answer_outside_one_to_seven(change: int) -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        PgicResponse(change=change)
    assert caught.value.message == f"PGIC change answer {change} is outside 1–7"


def test_pgic_refuses_a_blank_answer() -> None:
    with pytest.raises(RequiredAnswerMissing):
        PgicResponse.from_answers({"change": None})
