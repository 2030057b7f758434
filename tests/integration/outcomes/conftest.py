"""Real databases for the outcomes integration tests: the records fixtures, reused as they are.

Every test that asks for ``database_url`` (or ``migrated``, ``app``) runs on SQLite and on a fresh
PostgreSQL schema; see ``tests/integration/records/conftest.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_RECORDS = Path(__file__).resolve().parents[1] / "records"
sys.path.insert(0, str(_RECORDS))

_spec = importlib.util.spec_from_file_location("records_conftest", _RECORDS / "conftest.py")
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
