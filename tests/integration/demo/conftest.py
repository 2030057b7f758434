"""Fixtures for the demo-clinic tests: the records suite's databases (SQLite and a fresh
PostgreSQL schema per test), reused as the pathway tests reuse them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_TESTS / "integration" / "records"))

_spec = importlib.util.spec_from_file_location(
    "demo_records_fixtures", _TESTS / "integration" / "records" / "conftest.py"
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
