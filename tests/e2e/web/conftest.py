"""The web tests reuse the API tests' clinic builder (tests/e2e/api/api_support.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import Clinic, build_clinic


@pytest.fixture
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('web')}/thecal.db")
    yield built
    built.thecal.close()
