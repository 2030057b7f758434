"""Fixtures for the safety-review tests; the corpus modules live in ./corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.policy import ClinicPolicy

sys.path.insert(0, str(Path(__file__).parent / "corpus"))


@pytest.fixture(scope="session")
def library() -> ReferenceLibrary:
    return reference_library()


@pytest.fixture(scope="session")
def policy() -> ClinicPolicy:
    return ClinicPolicy()
