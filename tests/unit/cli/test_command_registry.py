"""The command registry: every command listed without importing it, loaded on dispatch, true help."""

from __future__ import annotations

import inspect
import re

import pytest
from fresh_interpreter import RunThecal
from typer.testing import CliRunner

from thecal.entrypoints.cli.lazy_group import LazyGroup, Subcommand
from thecal.entrypoints.cli.main import COMMANDS, app

ENTRIES = {entry.name: entry for entry in COMMANDS}
#: The modules every run imports: the registry and its machinery, nothing else of the CLI.
REGISTRY_MODULES = {"thecal.entrypoints.cli.main", "thecal.entrypoints.cli.lazy_group"}


def _first_paragraph(text: str) -> str:
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def _cli_modules(modules: frozenset[str]) -> set[str]:
    return {m for m in modules if m.startswith("thecal.entrypoints.cli.")}


@pytest.mark.parametrize("name", ENTRIES)
def test_registry_help_is_the_commands_own_first_paragraph(name: str) -> None:
    command = ENTRIES[name].load()
    assert command.name == name
    assert ENTRIES[name].help == _first_paragraph(command.help or "")


def test_the_registry_names_each_command_once() -> None:
    assert len(ENTRIES) == len(COMMANDS)


def test_top_level_help_lists_every_command_without_importing_any(run_thecal: RunThecal) -> None:
    run = run_thecal("--help")
    assert run.code == 0, run.stderr
    panel = run.stdout.split("─ Commands ─", 1)[1]
    rows = {m[1]: m[2] for m in re.finditer(r"^│ (\S+) {2,}(\S.*?)\s*│$", panel, re.MULTILINE)}
    assert list(rows) == [entry.name for entry in COMMANDS]
    for entry in COMMANDS:  # the first line of each help (a long one wraps)
        assert entry.help.startswith(rows[entry.name]), entry.name
    assert _cli_modules(run.modules) == REGISTRY_MODULES


def test_completing_a_command_name_imports_no_command_module(run_thecal: RunThecal) -> None:
    run = run_thecal(
        env={"_THECAL_COMPLETE": "complete_bash", "COMP_WORDS": "thecal re", "COMP_CWORD": "1"}
    )
    assert run.stdout.split() == [
        "reference",
        "review",
        "referrals",
        "reminders",
        "refills",
        "report",
    ]
    assert _cli_modules(run.modules) == REGISTRY_MODULES


def test_completing_inside_a_command_imports_that_command_only(run_thecal: RunThecal) -> None:
    run = run_thecal(
        env={"_THECAL_COMPLETE": "complete_bash", "COMP_WORDS": "thecal calc f", "COMP_CWORD": "2"}
    )
    assert run.stdout.split() == ["flow"]
    assert _cli_modules(run.modules) - REGISTRY_MODULES == {
        "thecal.entrypoints.cli.calc",
        "thecal.entrypoints.cli.calc_devices",  # the device events' calculators, part of calc
        "thecal.entrypoints.cli.calc_library",  # calc refill's library checks, part of calc
        "thecal.entrypoints.cli.output",
    }


def test_a_group_loaded_on_dispatch_lists_its_subcommands() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    for sub in ("users", "seed", "seed-if-empty"):
        assert sub in result.stdout


def test_a_one_command_group_stays_a_group() -> None:
    result = CliRunner().invoke(app, ["audit", "--help"])  # audit has only `verify`
    assert result.exit_code == 0
    assert "verify" in result.stdout


def test_a_mistyped_command_is_refused_with_a_suggestion_from_the_registry() -> None:
    result = CliRunner().invoke(app, ["calk"])
    assert result.exit_code == 2
    assert "Did you mean 'calc'?" in result.output


def test_a_name_registered_twice_is_refused() -> None:
    twice = Subcommand(name="calc", target="thecal.entrypoints.cli.calc:app", help="Dosing.")

    class Twice(LazyGroup):
        registry = (twice, twice)

    with pytest.raises(ValueError, match="'calc' is registered twice"):
        Twice(name="thecal")
