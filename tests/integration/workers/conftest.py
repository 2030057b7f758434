"""The several-workers tests: real `thecal serve` processes on a fresh PostgreSQL schema.

The API tests' clinic builder seeds the clinic in this process (tests/e2e/api/api_support.py);
the servers then run as separate processes against the same schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e" / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
