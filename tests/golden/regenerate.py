# ruff: noqa: T201 - a developer script that reports what it wrote
"""Regenerate the golden traces — only deliberately, after reviewing the change.

    .venv/bin/python tests/golden/regenerate.py

Each scenario in ``docs/scenarios/`` listed in ``GOLDEN`` is run and its CSV trace written to
``tests/golden/traces/<name>.csv``. ``test_golden_traces.py`` compares runs against these files
byte for byte; review ``git diff tests/golden/traces`` before committing regenerated files.
"""

from __future__ import annotations

import io
from pathlib import Path

from thecal.simulation.runner import run_scenario
from thecal.simulation.scenario_file import load_scenario
from thecal.simulation.trace import write_csv

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "docs" / "scenarios"
TRACES = Path(__file__).resolve().parent / "traces"

GOLDEN = (
    "prometra-pulses",  # valve-gated strokes
    "mri-synchromed",  # peristaltic with bias, MRI stall and recovery
    "priming-after-implant",
    "concentration-change-with-bridge",
    "concentration-change-without-bridge",
    "pocket-fill",
    "mri-prometra-not-emptied",
    "mri-prometra-ii-fav",
    "elective-replacement-to-stop",
)


def render(name: str) -> str:
    """The CSV trace of ``docs/scenarios/<name>.toml``."""
    run = run_scenario(load_scenario(str(SCENARIOS / f"{name}.toml")))
    stream = io.StringIO()
    write_csv(run.twin.trace, stream, start=run.scenario.start)
    return stream.getvalue()


def main() -> None:
    TRACES.mkdir(exist_ok=True)
    for name in GOLDEN:
        (TRACES / f"{name}.csv").write_text(render(name), encoding="utf-8")
        print(f"wrote {TRACES / f'{name}.csv'}")


if __name__ == "__main__":
    main()
