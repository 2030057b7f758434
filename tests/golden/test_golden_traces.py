"""Golden traces: each scenario's trace must match its reviewed CSV byte for byte.

Regenerate deliberately with ``.venv/bin/python tests/golden/regenerate.py`` (see that file).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regenerate import GOLDEN, TRACES, render


@pytest.mark.parametrize("name", GOLDEN)
def test_trace_matches_the_golden_file(name: str) -> None:
    expected = (TRACES / f"{name}.csv").read_text(encoding="utf-8")
    assert render(name) == expected


def test_same_scenario_and_seed_give_the_identical_trace() -> None:
    assert render("mri-synchromed") == render("mri-synchromed")
