"""Run the `thecal` command in a fresh interpreter and see which modules it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Runs the console script's app, then writes the exit status and every imported module's name.
_SCRIPT = """
import json, sys
report, sys.argv = sys.argv[1], ["thecal", *sys.argv[2:]]
from thecal.entrypoints.cli.main import main
try:
    main()
    code = 0
except SystemExit as exit:
    code = 0 if exit.code is None else exit.code if isinstance(exit.code, int) else 1
with open(report, "w", encoding="utf-8") as stream:
    json.dump({"code": code, "modules": sorted(sys.modules)}, stream)
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class FreshRun:
    code: int
    stdout: str
    stderr: str
    modules: frozenset[str]

    def imported(self, package: str) -> bool:
        """Whether ``package`` or any of its submodules was imported."""
        return any(m == package or m.startswith(package + ".") for m in self.modules)


RunThecal = Callable[..., FreshRun]


def run_thecal_in(tmp_path: Path) -> RunThecal:
    """A function that runs ``thecal ARGS…`` in a fresh interpreter, its report in ``tmp_path``."""

    def run(*args: str, env: Mapping[str, str] | None = None) -> FreshRun:
        report = tmp_path / "report.json"
        completed = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(report), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={**os.environ, "COLUMNS": "200", **(env or {})},
        )
        data = json.loads(report.read_text(encoding="utf-8"))
        return FreshRun(
            code=data["code"],
            stdout=completed.stdout,
            stderr=completed.stderr,
            modules=frozenset(data["modules"]),
        )

    return run
