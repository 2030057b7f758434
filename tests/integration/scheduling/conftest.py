"""Fixtures for the scheduling integration tests: the records suite's databases (SQLite and a
fresh PostgreSQL schema per test), migrated, the pathway scenario's clinic (users, a patient) and
a clinic calendar: two rooms, a hospital theatre, and working hours for every clinician."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

_TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_TESTS / "unit" / "services" / "pathway"))
sys.path.insert(0, str(_TESTS / "integration" / "records"))
sys.path.insert(0, str(_TESTS / "unit" / "services" / "scheduling"))

_spec = importlib.util.spec_from_file_location(
    "records_integration_fixtures", _TESTS / "integration" / "records" / "conftest.py"
)
assert _spec is not None
assert _spec.loader is not None
_records = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_records)

postgres_url = _records.postgres_url
database_url = _records.database_url
engine = _records.engine
migrated = _records.migrated
settings = _records.settings

from pathway_scenario import MovableClock, seed_clinic  # noqa: E402
from scheduling_scenario import furnish  # noqa: E402

from thecal.bootstrap import Thecal, bootstrap  # noqa: E402
from thecal.config import Settings  # noqa: E402


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def clinic(migrated: Engine, settings: Settings, clock: MovableClock) -> Thecal:
    app = bootstrap(settings, clock=clock, engine=migrated)
    seed_clinic(app.uow())
    furnish(app)
    return app
