"""How fast the command line answers (issue 16 §6). ``run()`` returns a Markdown section.

Wall time of a whole ``thecal`` process, as a user starts it (the console script in the venv),
for three commands that need no database: ``thecal calc flow``, ``thecal review`` of an example
request and ``thecal simulate`` of a 70-day scenario. Beside them, in the same run: a bare
``python -c pass`` (the interpreter's own start, the denominator of each ratio), ``import typer``
(the framework's floor) and the import of every command module, which is what every command paid
before the command registry imported commands lazily.

The commands are run in rounds, each round running every case once in turn, so that a change in
the machine's load falls on all of them alike; the table gives the median and the range over the
rounds, and the median CPU time (user + system) of the process. The package's bytecode is
compiled first, as an installed package has it (this environment sets PYTHONDONTWRITEBYTECODE,
which would otherwise make every run compile thecal's sources again). Each command's exit status
and output are checked, so a broken command cannot pass for a fast one.
Target: each command under 0.3 s. Run directly: ``.venv/bin/python bench/bench_cli.py``.
"""

from __future__ import annotations

import compileall
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine_load import load_average

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
THECAL = PYTHON.parent / "thecal"
ROUNDS = 15
TARGET_S = 0.3
_IMPORT_LINE = re.compile(r"import time:\s+(?P<self>\d+) \|\s+\d+ \| \s*(?P<module>\S+)")

_EVERY_COMMAND_MODULE = (
    "import importlib\n"
    "from thecal.entrypoints.cli.main import COMMANDS\n"
    "for entry in COMMANDS:\n"
    "    importlib.import_module(entry.target.partition(':')[0])\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    label: str
    argv: tuple[str, ...]
    status: int = 0
    shows: str = ""
    command: bool = False  # one of the commands the target applies to


CASES = (
    Case(label="`python -c pass` (the interpreter's start)", argv=(str(PYTHON), "-c", "pass")),
    Case(
        label="`python -c 'import typer'` (the framework)", argv=(str(PYTHON), "-c", "import typer")
    ),
    Case(
        label="`thecal calc flow --concentration '25 mg/mL' --daily-dose '5 mg/day'`",
        argv=(
            str(THECAL),
            "calc",
            "flow",
            "--concentration",
            "25 mg/mL",
            "--daily-dose",
            "5 mg/day",
        ),
        shows="flow: 0.2 mL/day",
        command=True,
    ),
    Case(
        label="`thecal review docs/examples/block-ten-fold-dose.json`",
        argv=(str(THECAL), "review", str(ROOT / "docs/examples/block-ten-fold-dose.json")),
        status=3,  # blocked: the review found the ten-fold error
        shows="BLOCKED",
        command=True,
    ),
    Case(
        label="`thecal simulate docs/scenarios/pocket-fill.toml` (70 days)",
        argv=(str(THECAL), "simulate", str(ROOT / "docs/scenarios/pocket-fill.toml")),
        shows="pocket-fill",
        command=True,
    ),
    Case(
        label="every command module imported (what each command paid before the registry)",
        argv=(str(PYTHON), "-c", _EVERY_COMMAND_MODULE),
    ),
)


def _once(case: Case) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``case``; fails loudly if the command did not work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(case.argv, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != case.status or case.shows not in done.stdout:
        msg = f"{case.label}: exit {done.returncode}, expected {case.status}\n{done.stdout}{done.stderr}"
        raise RuntimeError(msg)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run() -> str:
    compileall.compile_dir(ROOT / "src" / "thecal", quiet=1)
    for case in CASES:  # warm the file cache
        _once(case)
    walls: dict[str, list[float]] = {case.label: [] for case in CASES}
    cpus: dict[str, list[float]] = {case.label: [] for case in CASES}
    for _ in range(ROUNDS):
        for case in CASES:
            wall, cpu = _once(case)
            walls[case.label].append(wall)
            cpus[case.label].append(cpu)
    bare = statistics.median(walls[CASES[0].label])
    lines = [
        "## Command line (`bench/bench_cli.py`)",
        "",
        (
            f"Wall time of a whole process started as a user starts it (the console script), "
            f"{ROUNDS} rounds after a warm-up, every case once per round in turn; median and range "
            "over the rounds; CPU is the process's user + system time (median). Ratio: the "
            "median over the median of `python -c pass` in the same run. Bytecode compiled first, "
            "as an installed package has it."
        ),
        "",
        "| command | median | range | CPU | × `python -c pass` | target < 0.3 s |",
        "|---|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for case in CASES:
        median = statistics.median(walls[case.label])
        low, high = min(walls[case.label]), max(walls[case.label])
        cpu = statistics.median(cpus[case.label])
        target = ""
        if case.command:
            met = median < TARGET_S
            verdicts.append(met)
            target = "met ✔" if met else "**missed**"
        lines.append(
            f"| {case.label} | {median * 1000:.0f} ms | {low * 1000:.0f}–{high * 1000:.0f} ms "
            f"| {cpu * 1000:.0f} ms | {median / bare:.1f}× | {target} |"
        )
    imports = _imports_by_package(CASES[2])
    total = sum(imports.values())
    top = ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in imports.most_common(6))
    lines += [
        "",
        (
            "All three commands answer under 0.3 s."
            if all(verdicts)
            else "**Not every command answers under 0.3 s on this run.**"
        ),
        "",
        (
            f"Imports of `thecal calc flow` by package (`python -X importtime`, one run, self "
            f"time summed): {total / 1000:.0f} ms in all; {top}. (Typer coerces every option's "
            "value with pydantic.) None of the web stack, the ORM or matplotlib "
            "(`tests/unit/cli/test_cli_imports.py`)."
        ),
    ]
    return "\n".join(lines)


def _imports_by_package(case: Case) -> Counter[str]:
    """Import time (microseconds, self) of one run of ``case``, by top-level package."""
    done = subprocess.run(
        [str(PYTHON), "-X", "importtime", *case.argv], capture_output=True, text=True, check=True
    )
    totals: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            name = match["module"]
            package = (
                ".".join(name.split(".")[:2]) if name.startswith("thecal.") else name.split(".")[0]
            )
            totals[package] += int(match["self"])
    return totals


if __name__ == "__main__":
    print(load_average())
    print(run())
    print(load_average())
