"""Fixtures for the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fresh_interpreter import RunThecal, run_thecal_in


@pytest.fixture
def run_thecal(tmp_path: Path) -> RunThecal:
    """Run ``thecal ARGS…`` in a fresh interpreter; see which modules it imported."""
    return run_thecal_in(tmp_path)
