"""Wilson score interval and honest headline percentages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.errors import ValueOutOfRange
from thecal.reports.stats import Proportion, headline_percent, percent_text, wilson_interval

Z = Decimal("1.959963984540054")


def test_wilson_interval_of_174_of_207_matches_the_hand_computation() -> None:
    # By hand with z = 1.96, n = 207, p = 174/207 = 0.840580:
    #   z²/n = 3.8415/207 = 0.018558        denominator = 1.018558
    #   centre = (0.840580 + 0.009279) / 1.018558 = 0.834376
    #   p(1−p)/n = 0.134005/207 = 0.00064737; z²/4n² = 0.00002241; √0.00066978 = 0.025880
    #   half = 1.96 × 0.025880 / 1.018558 = 0.049800
    #   → 0.78458 … 0.88418, displayed 78.5–88.4 %
    low, high = wilson_interval(174, 207)
    assert abs(low - Decimal("0.78458")) < Decimal("0.00005")
    assert abs(high - Decimal("0.88418")) < Decimal("0.00005")
    assert (percent_text(low), percent_text(high)) == ("78.5", "88.4")


def test_wilson_interval_of_5_of_10_is_the_textbook_23_7_to_76_3() -> None:
    # centre = 0.5 exactly; half = z/(1 + z²/10) × √(0.025 + z²/400) = 0.263386
    low, high = wilson_interval(5, 10)
    assert (percent_text(low), percent_text(high)) == ("23.7", "76.3")
    assert low + high == 1


def test_wilson_interval_of_2_of_3_is_20_8_to_93_9() -> None:
    # centre = (0.666667 + 0.640243) / 2.280486 = 0.573082; half = 0.365423
    low, high = wilson_interval(2, 3)
    assert (percent_text(low), percent_text(high)) == ("20.8", "93.9")


def test_with_no_successes_the_interval_is_zero_to_z_squared_over_n_plus_z_squared() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0
    z2 = Z * Z
    assert abs(high - z2 / (10 + z2)) < Decimal("1e-25")  # closed form: 0.277533
    assert percent_text(high) == "27.8"


def test_with_all_successes_the_interval_is_n_over_n_plus_z_squared_to_one() -> None:
    low, high = wilson_interval(10, 10)
    assert high == 1
    assert abs(low - 10 / (10 + Z * Z)) < Decimal("1e-25")


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (-1, 5), (6, 5), (True, 5), (1, 2.0)])
def test_wilson_interval_refuses_impossible_counts(successes: object, n: object) -> None:
    with pytest.raises(ValueOutOfRange):
        wilson_interval(successes, n)  # type: ignore[arg-type]


def test_wilson_interval_refuses_a_confidence_it_has_no_exact_quantile_for() -> None:
    with pytest.raises(ValueOutOfRange):
        wilson_interval(1, 2, Decimal("0.9"))


@pytest.mark.parametrize(
    ("successes", "n", "text"),
    [
        (174, 207, "Over 84 %"),  # 84.06 %
        (84, 100, "84 %"),  # exactly 84: never "over 84 %"
        (21, 25, "84 %"),  # 84 % exactly again
        (1, 3, "Over 33 %"),
        (999, 1000, "Over 99 %"),
        (1, 1000, "Under 1 %"),
        (0, 5, "0 %"),
        (5, 5, "100 %"),
    ],
)
def test_headline_says_over_only_when_strictly_above(successes: int, n: int, text: str) -> None:
    assert headline_percent(successes, n) == text


def test_percent_text_rounds_half_up_to_one_decimal() -> None:
    assert percent_text(Decimal("0.78445")) == "78.4"
    assert percent_text(Decimal("0.78450")) == "78.5"
    assert percent_text(Decimal(1)) == "100.0"


def test_a_proportion_carries_its_fraction_interval_and_headline() -> None:
    proportion = Proportion.of(174, 207)
    assert proportion.fraction == Decimal(174) / Decimal(207)
    assert proportion.headline == "Over 84 %"
    assert proportion.confidence == Decimal("0.95")


counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(counts)
def test_wilson_interval_contains_the_observed_proportion_and_lies_in_0_1(
    count: tuple[int, int],
) -> None:
    successes, n = count
    low, high = wilson_interval(successes, n)
    observed = Decimal(successes) / Decimal(n)
    assert 0 <= low <= observed <= high <= 1


@given(counts)
def test_the_headline_claim_is_true_for_any_counts(count: tuple[int, int]) -> None:
    successes, n = count
    text = headline_percent(successes, n)
    if text == "Under 1 %":
        assert 0 < 100 * successes < n
    elif text.startswith("Over "):
        claimed = int(text.removeprefix("Over ").removesuffix(" %"))
        assert claimed * n < 100 * successes < (claimed + 1) * n
    else:
        claimed = int(text.removesuffix(" %"))
        assert claimed * n == 100 * successes
