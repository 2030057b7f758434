"""EQ-5D-5L: profile, EQ VAS and an index only from a loaded value set."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.instruments import (
    AnswerOutOfRange,
    Eq5d5lResponse,
    Eq5dDimension,
    UnknownDimension,
    UnknownItem,
    ValueSetInvalid,
    load_value_set_toml,
    score_eq5d5l,
    value_set_from_mapping,
)

# A SYNTHETIC value set made up for these tests. It is NOT any country's value set and must
# never be used for patients: real value sets are licensed by the EuroQol Research Foundation.
SYNTHETIC_VALUE_SET_TOML = """
name = "SYNTHETIC TEST VALUE SET"
country = "none (synthetic)"
licence = "invented for thecal's tests; not a real value set"
constant = 0.05

[decrements.mobility]
2 = 0.04
3 = 0.08
4 = 0.16
5 = 0.32

[decrements.self_care]
2 = 0.03
3 = 0.06
4 = 0.12
5 = 0.24

[decrements.usual_activities]
2 = 0.02
3 = 0.04
4 = 0.08
5 = 0.16

[decrements.pain_discomfort]
2 = 0.05
3 = 0.10
4 = 0.20
5 = 0.40

[decrements.anxiety_depression]
2 = 0.01
3 = 0.02
4 = 0.04
5 = 0.08
"""


def _synthetic_mapping() -> dict[str, object]:
    return {
        "name": "SYNTHETIC TEST VALUE SET",
        "country": "none (synthetic)",
        "licence": "invented for thecal's tests",
        "constant": "0.05",
        "decrements": {
            dimension.value: {"2": "0.01", "3": "0.02", "4": "0.03", "5": "0.04"}
            for dimension in Eq5dDimension
        },
    }


def test_the_profile_is_the_five_levels_in_dimension_order() -> None:
    response = Eq5d5lResponse(
        mobility=2, self_care=1, usual_activities=1, pain_discomfort=4, anxiety_depression=3
    )
    assert score_eq5d5l(response).profile == "21143"


def test_without_a_value_set_the_index_is_absent_never_guessed() -> None:
    score = score_eq5d5l(Eq5d5lResponse.from_answers(dict.fromkeys(_dims(), 1) | {"vas": 80}))
    assert score.profile == "11111"
    assert score.index is None
    assert score.index_unscored_reason == "no value set loaded; the index is never guessed"
    assert score.vas == Decimal(80)


def test_the_synthetic_value_set_gives_the_hand_computed_index() -> None:
    value_set = load_value_set_toml(SYNTHETIC_VALUE_SET_TOML)
    response = Eq5d5lResponse(
        mobility=2, self_care=1, usual_activities=1, pain_discomfort=4, anxiety_depression=3
    )
    # 1 − 0.05 (constant) − 0.04 (MO2) − 0 − 0 − 0.20 (PD4) − 0.02 (AD3) = 0.69
    score = score_eq5d5l(response, value_set=value_set)
    assert score.index == Decimal("0.69")
    assert score.value_set == "SYNTHETIC TEST VALUE SET"


def test_full_health_scores_exactly_one_without_the_constant() -> None:
    value_set = load_value_set_toml(SYNTHETIC_VALUE_SET_TOML)
    response = Eq5d5lResponse.from_answers(dict.fromkeys(_dims(), 1))
    assert score_eq5d5l(response, value_set=value_set).index == Decimal(1)


def test_the_worst_profile_can_fall_below_zero() -> None:
    value_set = load_value_set_toml(SYNTHETIC_VALUE_SET_TOML)
    response = Eq5d5lResponse.from_answers(dict.fromkeys(_dims(), 5))
    # 1 − 0.05 − (0.32 + 0.24 + 0.16 + 0.40 + 0.08) = 1 − 1.25 = −0.25
    assert score_eq5d5l(response, value_set=value_set).index == Decimal("-0.25")


def test_a_blank_dimension_gives_no_profile_and_no_index_but_keeps_the_vas() -> None:
    value_set = load_value_set_toml(SYNTHETIC_VALUE_SET_TOML)
    score = score_eq5d5l(
        Eq5d5lResponse(mobility=1, self_care=2, usual_activities=3, vas=55), value_set=value_set
    )
    assert score.profile is None
    assert score.index is None
    assert score.profile_unscored_reason == (
        "no profile: pain discomfort, anxiety depression unanswered"
    )
    assert score.vas == Decimal(55)


def test_a_level_of_six_is_refused() -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        Eq5d5lResponse(self_care=6)
    assert caught.value.message == "EQ-5D-5L self care answer 6 is outside 1–5"


def test_an_eq_vas_of_101_is_refused() -> None:
    with pytest.raises(AnswerOutOfRange) as caught:
        Eq5d5lResponse(vas=101)
    assert caught.value.message == "EQ-5D-5L EQ VAS answer 101 is outside 0–100"


def test_an_unknown_answer_key_is_refused() -> None:
    with pytest.raises(UnknownItem):
        Eq5d5lResponse.from_answers({"vision": 2})


def test_a_value_set_from_a_mapping_of_decimal_text() -> None:
    value_set = value_set_from_mapping(_synthetic_mapping())
    assert value_set.decrement(Eq5dDimension.PAIN_DISCOMFORT, 5) == Decimal("0.04")
    assert value_set.decrement(Eq5dDimension.MOBILITY, 1) == 0
    # 1 − 0.05 − 5 × 0.01 = 0.90
    assert value_set.index((2, 2, 2, 2, 2)) == Decimal("0.90")


def test_a_value_set_naming_an_unknown_dimension_is_refused() -> None:
    data = _synthetic_mapping()
    decrements = dict(data["decrements"])  # type: ignore[call-overload]
    decrements["vision"] = {"2": "0.1", "3": "0.2", "4": "0.3", "5": "0.4"}
    with pytest.raises(UnknownDimension) as caught:
        value_set_from_mapping(data | {"decrements": decrements})
    assert "'vision'" in caught.value.message


def test_a_value_set_with_a_binary_float_is_refused() -> None:
    data = _synthetic_mapping() | {"constant": 0.05}
    with pytest.raises(ValueSetInvalid) as caught:
        value_set_from_mapping(data)
    assert caught.value.fields["field"] == "constant"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"licence": ""}, "licence"),
        ({"colour": "blue"}, "colour"),
        ({"constant": "abc"}, "constant"),
        ({"decrements": {}}, "decrements"),
    ],
)
def test_a_value_set_of_the_wrong_shape_is_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueSetInvalid) as caught:
        value_set_from_mapping(_synthetic_mapping() | change)
    assert caught.value.fields["field"] == field


def test_a_value_set_missing_a_level_is_refused() -> None:
    data = _synthetic_mapping()
    decrements = dict(data["decrements"])  # type: ignore[call-overload]
    decrements["mobility"] = {"2": "0.1", "3": "0.2", "4": "0.3"}
    with pytest.raises(ValueSetInvalid) as caught:
        value_set_from_mapping(data | {"decrements": decrements})
    assert caught.value.fields["field"] == "decrements.mobility"


def test_text_that_is_not_toml_is_refused_as_an_invalid_value_set() -> None:
    with pytest.raises(ValueSetInvalid):
        load_value_set_toml("name = ")


def _dims() -> list[str]:
    return [dimension.value for dimension in Eq5dDimension]
