"""The deployment tests reuse the API tests' clinic builder (tests/e2e/api/api_support.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e" / "api"))
