"""Demo-clinic benchmark: ``thecal demo seed`` of 1,000 patients into a fresh SQLite file.

``run()`` returns a Markdown section (collected by ``bench/run.py``): wall time, the process's
CPU time (the machine is shared, so wall time includes waiting for the cores), records made, and
the rate of use-case transactions. Target (issue 5 §8): under 60 s. Run alone with
``python bench/bench_demo.py [PATIENTS]``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.metadata import metadata
from thecal.config import Settings
from thecal.entrypoints.cli.demo import run_seed

PATIENTS = 1_000
SEED = 20260101
TARGET_S = 60
TODAY = dt.date(2026, 11, 24)  # a fixed day: the same clinic every run


def _rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def run(patients: int = PATIENTS) -> str:
    """Seed ``patients`` patients into a temporary SQLite database and describe it."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        settings = Settings(database_url=url, audit_key="bench-" + "k" * 40, env="test")  # type: ignore[arg-type]
        began, cpu = time.perf_counter(), time.process_time()
        summary = run_seed(
            patients=patients, seed=SEED, today=TODAY, settings=settings, only_if_empty=False
        )
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        assert summary is not None  # noqa: S101 - a fresh database is empty
        rows = _rows(url)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    audit = rows.get("audit_entries", 0)
    verdict = "✔" if wall < TARGET_S else "✘"
    lines = [
        "## Demo clinic seed (`bench/bench_demo.py`)",
        "",
        (
            f"`thecal demo seed --patients {patients} --seed {SEED}` (today {TODAY}) into a "
            "fresh SQLite file, through the real use cases (one transaction, one audit entry each)."
        ),
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| wall time | {wall:.1f} s | < {TARGET_S} s {verdict} |",
        f"| CPU time of the process | {used:.1f} s | |",
        f"| load average (1 min) at the end | {load:.1f} on {os.cpu_count()} cores | |",
        f"| audited transactions (audit entries) | {audit:,} ({audit / wall:.0f}/s wall) | |",
        "",
        "| records | count |",
        "|---|---|",
    ]
    lines += [f"| {name} | {count:,} |" for name, count in sorted(rows.items()) if count]
    lines += ["", "| seeded | count |", "|---|---|"]
    lines += [f"| {name} | {count:,} |" for name, count in summary.counts.items()]
    lines += [f"| pumps {model} | {count} |" for model, count in summary.pumps_by_model.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(run(int(sys.argv[1]) if len(sys.argv) > 1 else PATIENTS) + "\n")
