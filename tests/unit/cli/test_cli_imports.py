"""The commands that need no database answer at once: they import no web stack, ORM or plotting.

Each command runs in a fresh interpreter (the console script's ``main``), and the test looks at
``sys.modules`` afterwards. Before the lazy registry every command imported all of them (2.3-5 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fresh_interpreter import RunThecal

ROOT = Path(__file__).resolve().parents[3]

#: What the calculators, the review and the simulator must not import (issue 16 §6).
HEAVY = (
    "fastapi", "starlette", "jinja2", "uvicorn",  # the web stack
    "sqlalchemy", "alembic", "psycopg",  # the ORM and database drivers
    "matplotlib", "pandas", "numpy", "reportlab",  # plotting, reports
    "thecal.bootstrap", "thecal.config", "thecal.entrypoints.api", "thecal.entrypoints.web",
)  # fmt: skip

FAST_COMMANDS = {
    "calc flow": (
        ["calc", "flow", "--concentration", "25 mg/mL", "--daily-dose", "5 mg/day"],
        "flow: 0.2 mL/day",
        0,
    ),
    "review": (
        ["review", str(ROOT / "docs/examples/block-ten-fold-dose.json")],
        "BLOCKED",
        3,
    ),
    "simulate": (
        ["simulate", str(ROOT / "docs/scenarios/pocket-fill.toml"), "--json"],
        '"scenario": "pocket-fill"',
        0,
    ),
    "reference": (["reference", "drug", "morphine"], "morphine", 0),
}


@pytest.mark.parametrize("command", FAST_COMMANDS)
def test_fast_command_answers_without_the_web_stack_orm_or_plotting(
    command: str, run_thecal: RunThecal
) -> None:
    args, shows, status = FAST_COMMANDS[command]
    run = run_thecal(*args)
    assert run.code == status, run.stderr
    assert shows in run.stdout
    assert [heavy for heavy in HEAVY if run.imported(heavy)] == []


def test_the_command_modules_imported_are_only_the_one_that_ran(run_thecal: RunThecal) -> None:
    run = run_thecal("calc", "flow", "--concentration", "25 mg/mL", "--daily-dose", "5 mg/day")
    commands = {m for m in run.modules if m.startswith("thecal.entrypoints.cli.")}
    assert commands == {
        "thecal.entrypoints.cli.main",
        "thecal.entrypoints.cli.lazy_group",
        "thecal.entrypoints.cli.calc",
        "thecal.entrypoints.cli.calc_devices",  # the device events' calculators, part of calc
        "thecal.entrypoints.cli.calc_library",  # calc refill's library checks, part of calc
        "thecal.entrypoints.cli.output",
    }


def test_simulate_imports_matplotlib_only_when_asked_to_plot(
    run_thecal: RunThecal, tmp_path: Path
) -> None:
    plot = tmp_path / "run.png"
    run = run_thecal("simulate", str(ROOT / "docs/scenarios/pocket-fill.toml"), "--plot", str(plot))
    assert run.code == 0, run.stderr
    assert run.imported("matplotlib")
    assert plot.stat().st_size > 0
