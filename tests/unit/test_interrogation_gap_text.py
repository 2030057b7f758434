"""The interrogation result's gap in words: a difference below the display precision is a match,
never "≈ 0 mL more"; a real one names its size and side."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.units import Volume
from thecal.entrypoints.web.interrogation_text import _gap


@pytest.mark.parametrize(
    ("gap_ml", "text"),
    [
        ("0", "the pump's count matches the record (a difference under 0.001 mL)"),
        ("-0.0004", "the pump's count matches the record (a difference under 0.001 mL)"),
        ("0.0004", "the pump's count matches the record (a difference under 0.001 mL)"),
        ("0.3", "the pump counts 0.3 mL less than the record expected"),
        ("-2.5", "the pump counts 2.5 mL more than the record expected"),
    ],
)
def test_the_gap_reads_as_a_match_below_the_display_precision(gap_ml: str, text: str) -> None:
    assert _gap(Volume.from_ml(Decimal(gap_ml))) == text
