"""The web tests reuse the API tests' clinic builder (tests/e2e/api/api_support.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import Clinic, build_clinic, postgres_schema_url


@pytest.fixture
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('web')}/thecal.db")
    yield built
    built.thecal.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Clinic]:
    """The clinic on SQLite and on PostgreSQL (a fresh schema; a skip names why the server cannot
    be used, and CI makes that skip a failure)."""
    if request.param == "sqlite":
        built = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('web')}/thecal.db")
        yield built
        built.thecal.close()
        return
    for url in postgres_schema_url():
        built = build_clinic(url)
        yield built
        built.thecal.close()
