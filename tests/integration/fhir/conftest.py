"""Fixtures for the pump-therapy FHIR export tests: the pathway suites' databases (SQLite and a
fresh PostgreSQL schema per test), migrated, with the seeded clinic and a movable clock."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location(
    "pathway2_integration_fixtures", _TESTS / "integration" / "pathway2" / "conftest.py"
)
assert _spec is not None
assert _spec.loader is not None
_pathway = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pathway)

postgres_url = _pathway.postgres_url
database_url = _pathway.database_url
engine = _pathway.engine
migrated = _pathway.migrated
settings = _pathway.settings
clock = _pathway.clock
clinic = _pathway.clinic
