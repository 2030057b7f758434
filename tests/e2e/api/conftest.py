"""Databases for the API tests: SQLite always; PostgreSQL (a fresh schema) where marked.

PostgreSQL comes from ``THECAL_TEST_POSTGRES_URL`` (default the local server); if it cannot be
reached the PostgreSQL half is skipped with the reason (CI makes that skip a failure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_support import Clinic, build_clinic, postgres_schema_url


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('api')}/thecal.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api')}/thecal.db"
        return
    yield from postgres_schema_url()


@pytest.fixture
def make_clinic(sqlite_url: str) -> Iterator[Callable[..., Clinic]]:
    """Build a clinic on the test's SQLite file with extra settings; closed afterwards."""
    built: list[Clinic] = []

    def make(**settings: Any) -> Clinic:
        clinic = build_clinic(sqlite_url, **settings)
        built.append(clinic)
        return clinic

    yield make
    for clinic in built:
        clinic.thecal.close()
