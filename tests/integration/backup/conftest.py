"""The backup tests run on the records suite's databases (SQLite and a fresh PostgreSQL schema)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_RECORDS = Path(__file__).resolve().parents[1] / "records"
sys.path.insert(0, str(_RECORDS))

_spec = importlib.util.spec_from_file_location(
    "records_fixtures_for_backup", _RECORDS / "conftest.py"
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
app = _records.app
