"""Every command that needs the database ends with one line and exit status 4 when it cannot be
reached or has no schema, never a traceback (issue 15 §8).

The command tree is walked from the registry (``entrypoints/cli/main.py``): every leaf command is
invoked with its required options and arguments filled with minimal well-formed values against
a PostgreSQL URL on a closed port, so a command added later is covered without a new line here;
and again with a URL that cannot be parsed (THC-CONF-001, exit status 2, the password not shown).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fresh_interpreter import RunThecal
from typer._click import Context
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import COMMANDS, app
from thecal.entrypoints.configuration_errors import EXIT_CONFIGURATION, EXIT_DATABASE

UNREACHABLE = "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/thecal"

#: Commands that never open the database (calculators, reference data, the review, the twin).
OFFLINE = {"calc", "reference", "review", "simulate"}

#: Commands that only read a file, not the database: they may succeed.
FILE_ONLY = {"audit checkpoints"}

#: Options a command needs beyond its required ones (a search needs one criterion).
EXTRA: dict[str, list[str]] = {"patients search": ["--family-name", "Walker"]}

#: Minimal well-formed values for required parameters, by parameter name (else ``"x1"``).
VALUES: dict[str, str] = {
    "as_user": "nina",
    "birth_date": "1960-05-17",
    "sex": "female",
    "day": "2026-12-07",
    "first": "2026-12-01",
    "last": "2026-12-02",
    "at": "2026-12-10T10:00",
    "scan_at": "2026-12-10T10:00",
    "earliest": "2026-12-10T10:00",
    "latest": "2026-12-11T10:00",
    "beyond_use": "2026-12-30",
    "version": "1",
    "pump_version": "1",
    "concentration": "25 mg/mL",
    "daily_dose": "5 mg/day",
    "volume": "20 mL",
    "fill_volume": "20 mL",
    "dose": "0.3 mg",
    "drug": "morphine",
    "level": "L3-L4",
    "baseline_pain": "8",
    "field_t": "1.5",
    "catheter_length_cm": "60",
    "length_cm": "60",
    "tip_level": "T10",
    "model": "synchromed-ii-20",
    "new_model": "synchromed-ii-20",
    "catheter": "indura-1p-8709sc",
    "visit_type": "refill",
    "role": "nurse",
    "block": "0 08:00-16:00",
    "step": "request-information",
    "decision": "implant",
    "direction": "out",
    "kind": "explant",
    "bridge": "none",
    "reason": "a reason long enough",
    "rationale": "a rationale long enough",
}


def _leaves(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    if hasattr(command, "list_commands"):
        context = Context(command)
        for name in command.list_commands(context):
            yield from _leaves(command.get_command(context, name), [*path, name])
    else:
        yield path, command


def _args(command: Any) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        value = VALUES.get(param.name or "", "x1")
        if param.param_type_name == "argument":
            args.append(value)
        else:
            args.extend([param.opts[0], value])
    return args


def _commands() -> list[Any]:
    found = []
    for entry in COMMANDS:
        if entry.name in OFFLINE:
            continue
        for path, command in _leaves(entry.load(), [entry.name]):
            name = " ".join(path)
            argv = [*path, *_args(command), *EXTRA.get(name, [])]
            found.append(pytest.param(argv, id=name))
    return found


COMMAND_LINES = _commands()


def test_the_walk_finds_the_clinics_commands() -> None:
    named = {param.id for param in COMMAND_LINES}
    assert {"patients search", "db upgrade", "users list", "serve", "audit verify"} <= named
    assert len(named) > 60


@pytest.mark.parametrize("argv", COMMAND_LINES)
def test_a_command_against_an_unreachable_database_says_so_in_one_line(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # db backup / export write here, never in the checkout
    monkeypatch.setenv("THECAL_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("THECAL_AUDIT_CHECKPOINT_PATH", str(tmp_path / "checkpoints"))
    result = CliRunner().invoke(app, argv, input="", env={"COLUMNS": "200"})
    shown = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{argv}: {result.exception!r}"
    )
    assert "Traceback" not in shown
    if " ".join(argv[:2]) not in FILE_ONLY:
        assert result.exit_code != 0, shown
    if result.exit_code == EXIT_DATABASE:
        lines = [line for line in shown.splitlines() if line.strip()]
        assert len(lines) == 1, shown
        assert "cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1" in shown
        assert "s3cret" not in shown


@pytest.mark.parametrize("argv", COMMAND_LINES)
def test_a_command_with_a_database_url_it_cannot_parse_names_the_setting(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THECAL_DATABASE_URL", "nobody:s3cret@host/x")  # no scheme
    result = CliRunner().invoke(app, argv, input="", env={"COLUMNS": "200"})
    shown = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{argv}: {result.exception!r}"
    )
    assert "Traceback" not in shown
    assert "s3cret" not in shown
    if " ".join(argv[:2]) not in FILE_ONLY:
        assert result.exit_code != 0, shown
    if " ".join(argv[:2]) in {"patients search", "users list", "db upgrade", "db current"}:
        assert "THC-CONF-001" in shown, shown
    if "THC-CONF-001" in shown:
        assert result.exit_code == EXIT_CONFIGURATION
        assert "THECAL_DATABASE_URL" in shown


def test_most_commands_reach_the_database_check_not_just_their_argument_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THECAL_DATABASE_URL", UNREACHABLE)
    reached = []
    for param in COMMAND_LINES:
        argv = param.values[0]
        result = CliRunner().invoke(app, argv, input="", env={"COLUMNS": "200"})
        if result.exit_code == EXIT_DATABASE:
            reached.append(param.id)
    assert {"patients search", "patients register", "users list", "db upgrade"} <= set(reached)
    assert len(reached) >= len(COMMAND_LINES) * 3 // 4, sorted(
        {str(p.id) for p in COMMAND_LINES} - set(reached)
    )


def test_the_installed_command_prints_no_traceback(run_thecal: RunThecal) -> None:
    argv = ("patients", "search", "--as", "nina", "--family-name", "Walker")
    run = run_thecal(*argv, env={"THECAL_DATABASE_URL": UNREACHABLE})
    assert run.code == EXIT_DATABASE
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("thecal: cannot reach the database at ")
    assert "(THECAL_DATABASE_URL)" in run.stderr
    assert "Connection refused" in run.stderr or "connection failed" in run.stderr
    assert run.stdout == ""


def test_a_database_without_the_schema_says_to_upgrade_it(
    run_thecal: RunThecal, tmp_path: Path
) -> None:
    empty = f"sqlite:///{tmp_path}/empty.db"
    run = run_thecal("users", "list", env={"THECAL_DATABASE_URL": empty})
    assert run.code == EXIT_DATABASE
    assert "Traceback" not in run.stderr
    assert "has no thecal schema" in run.stderr
    assert "thecal db upgrade" in run.stderr
