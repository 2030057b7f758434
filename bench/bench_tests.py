"""How many tests there are, counted honestly: distinct tests and parameterised cases.

``pytest --collect-only -q`` lists every collected case by node id. A *distinct test* is a test
function (its node id without the ``[parameters]``); a *case* is one parameterisation of it. The
authorization matrix (``tests/e2e/api/test_api_authorization_matrix.py``) is one test per cell of
roles × operations × own/other patient, so it is reported on its own line: it is a great many cases
of a few tests. Run alone: ``python bench/run.py bench_tests``.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATRIX = "tests/e2e/api/test_api_authorization_matrix.py"


def collected() -> list[str]:
    """Every collected node id (the whole suite, as ``make test`` collects it)."""
    answer = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in answer.stdout.splitlines() if "::" in line]


def _area(node: str) -> str:
    path = node.split("::", 1)[0]
    if path == MATRIX:
        return "authorization matrix (e2e/api)"
    parts = path.split("/")
    return "/".join(parts[1:3]) if parts[1] in ("unit", "integration", "e2e") else parts[1]


def run() -> str:
    nodes = collected()
    cases: Counter[str] = Counter()
    distinct: dict[str, set[str]] = {}
    for node in nodes:
        area = _area(node)
        cases[area] += 1
        distinct.setdefault(area, set()).add(node.split("[", 1)[0])
    total_distinct = sum(len(v) for v in distinct.values())
    matrix_cases = cases.get("authorization matrix (e2e/api)", 0)
    lines = [
        "## Test counts (`bench/bench_tests.py`)",
        "",
        (
            f"`pytest --collect-only` collects {len(nodes):,} cases: {total_distinct:,} distinct "
            f"tests (test functions) and their parameterisations. The authorization matrix alone "
            f"is {matrix_cases:,} cases ({matrix_cases / len(nodes):.0%}) of "
            f"{len(distinct.get('authorization matrix (e2e/api)', ())):,} distinct tests."
        ),
        "",
        "| area | distinct tests | cases |",
        "|---|---:|---:|",
        *(
            f"| {area} | {len(distinct[area]):,} | {cases[area]:,} |"
            for area in sorted(cases, key=lambda a: (-cases[a], a))
        ),
        f"| **all** | **{total_distinct:,}** | **{len(nodes):,}** |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
