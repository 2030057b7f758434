"""Progress bars on the long commands: drawn for a person at a terminal, never otherwise.

Each command runs as a user runs it (the console script) on a small demo clinic (SQLite): once
with a pseudo-terminal as its output, where the bar must appear (on standard error) and the
command's own output still follows; once with pipes, where nothing of the bar may appear; and
with ``--json`` at a terminal, where the output must be JSON alone.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # seeds three small clinics, runs a dozen commands: ≈ 50 s

THECAL = str(Path(sys.executable).parent / "thecal")
AUDIT_KEY = "progress-bars-test-key-0123456789abcdef"

#: Each long command, its bar's words, and what its own output shows.
LONG_COMMANDS = {
    "audit verify": (["audit", "verify", "--as", "admin"], "Verifying the audit chain", "audit chain ok"),
    "export fhir --all": (["export", "fhir", "--all", "--as", "physician"], "Exporting patients", '"resourceType"'),
    "report outcomes": (["report", "outcomes", "--as", "physician"], "Reading episodes", "3 months"),
}  # fmt: skip


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("clinic")
    return {
        **os.environ,
        "THECAL_DATABASE_URL": f"sqlite:///{folder / 'clinic.db'}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
        "TERM": "xterm",
        "COLUMNS": "120",
    }


def at_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``thecal ARGS`` with a pseudo-terminal as standard output and error; all it wrote."""
    master, slave = pty.openpty()
    process = subprocess.Popen([THECAL, *args], stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [THECAL, *args], capture_output=True, text=True, env=env, check=False, timeout=300
    )


@pytest.fixture(scope="module")
def seeded(clinic: dict[str, str]) -> tuple[dict[str, str], int, str]:
    """The demo clinic seeded at a terminal (5 patients): the seed's own bar, then the others'."""
    code, shown = at_terminal(["demo", "seed", "--patients", "5"], clinic)
    return clinic, code, shown


def test_the_demo_seed_draws_its_bar_at_a_terminal_then_prints_its_summary(
    seeded: tuple[dict[str, str], int, str],
) -> None:
    _, code, shown = seeded
    assert code == 0, shown
    assert "Seeding the demo clinic (days)" in shown
    assert "/1095" in shown  # the days of the three years, counted as they pass
    assert "demo clinic seeded: 5 patients" in shown


def test_the_demo_seed_draws_no_bar_through_a_pipe_or_with_json(
    tmp_path: Path, clinic: dict[str, str]
) -> None:
    env = {**clinic, "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
    done = piped(["demo", "seed", "--patients", "2"], env)
    assert done.returncode == 0, done.stderr
    assert "Seeding" not in done.stderr + done.stdout
    env = {**clinic, "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'third.db'}"}
    code, shown = at_terminal(["demo", "seed", "--patients", "2", "--json"], env)
    assert code == 0, shown
    assert "Seeding" not in shown
    assert json.loads(shown)["seeded"] is True


@pytest.mark.parametrize("command", LONG_COMMANDS)
def test_a_long_command_draws_its_bar_at_a_terminal(
    command: str, seeded: tuple[dict[str, str], int, str]
) -> None:
    env, _, _ = seeded
    args, bar, output = LONG_COMMANDS[command]
    code, shown = at_terminal(args, env)
    assert code == 0, shown
    assert bar in shown
    assert output in shown


@pytest.mark.parametrize("command", LONG_COMMANDS)
def test_a_long_command_draws_no_bar_through_a_pipe(
    command: str, seeded: tuple[dict[str, str], int, str]
) -> None:
    env, _, _ = seeded
    args, bar, output = LONG_COMMANDS[command]
    done = piped(args, env)
    assert done.returncode == 0, done.stderr
    assert output in done.stdout
    assert bar not in done.stderr + done.stdout
    assert "\x1b[" not in done.stderr  # no terminal control sequences either


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "verify", "--as", "admin", "--json"],
        ["report", "outcomes", "--as", "physician", "--format", "json"],
    ],
    ids=["audit verify --json", "report outcomes --format json"],
)
def test_json_at_a_terminal_is_json_alone(
    args: list[str], seeded: tuple[dict[str, str], int, str]
) -> None:
    env, _, _ = seeded
    code, shown = at_terminal(args, env)
    assert code == 0, shown
    json.loads(shown)  # nothing but the document: no bar, no control sequences
