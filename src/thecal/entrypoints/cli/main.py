"""The `thecal` command: the registry of its commands, each imported only when it runs.

Adding a command is one line in :data:`COMMANDS`::

    Subcommand(name="teams", target="thecal.entrypoints.cli.teams:app", help="Care teams."),

``target`` is ``"module:attribute"``: a ``typer.Typer`` (a group of subcommands, like
``add_typer``) or a command function (like ``app.command``). ``help`` is the line
``thecal --help`` shows without importing the module; it must equal the first paragraph of the
Typer's ``help=`` or the function's docstring (``tests/unit/cli/test_command_registry.py`` checks
every entry). Keep module-level imports of a command module to what that command needs: the
calculators, the review and the simulator must not import the web stack, the ORM or matplotlib
(``tests/unit/cli/test_cli_imports.py``), so that they answer at once (``bench/bench_cli.py``).

Shell completion: ``thecal --install-completion`` (bash, zsh, fish, PowerShell) or
``thecal --show-completion`` to print the script; completing a command's options imports only
that command.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer._click import Context

from thecal import __version__
from thecal.domain.errors import ConfigurationInvalid
from thecal.entrypoints.cli.lazy_group import LazyGroup, Subcommand
from thecal.entrypoints.configuration_errors import (
    EXIT_CONFIGURATION,
    EXIT_DATABASE,
    database_problem,
    report_configuration_error,
)

__all__ = ["COMMANDS", "app", "main"]

_CLI = "thecal.entrypoints.cli"

#: Every top-level command, in the order ``thecal --help`` lists them.
COMMANDS: tuple[Subcommand, ...] = (
    # Without a database: calculators, reference data, the safety review, the pump twin.
    Subcommand(
        name="calc",
        target=f"{_CLI}.calc:app",
        help=(
            "Dosing calculators. Quantities carry their unit, e.g. --concentration '25 mg/mL' "
            "--daily-dose '5 mg/day'. Add --json for machine-readable output."
        ),
    ),
    Subcommand(
        name="reference",
        target=f"{_CLI}.reference:app",
        help="Reference data: drugs, pumps, catheters, MME tables.",
    ),
    Subcommand(
        name="review",
        target=f"{_CLI}.review:review_command",
        help="Review proposed programs, refills, trials and MRI plans (docs/review-format.md).",
    ),
    Subcommand(
        name="simulate",
        target=f"{_CLI}.simulate:simulate",
        help="Run a pump-twin scenario and summarise it (delivered per drug at the tip, alarms, refills).",
    ),
    # The clinic's records.
    Subcommand(
        name="worklist",
        target=f"{_CLI}.worklist:worklist",
        help="The worklist, by due date: refills, alarms, expiries, replacements, trials, co-signatures, tasks.",
    ),
    Subcommand(
        name="tasks", target=f"{_CLI}.tasks:app", help="Open worklist tasks; mark one done."
    ),
    Subcommand(
        name="referrals",
        target=f"{_CLI}.referrals:app",
        help="Consultation requests from the public page; triage them.",
    ),
    Subcommand(
        name="visits",
        target=f"{_CLI}.visits:app",
        help="Book, list, move and cancel visits; attended or no-show; visits to book; free times.",
    ),
    Subcommand(
        name="calendar",
        target=f"{_CLI}.calendar:app",
        help="Rooms, working hours, closures and calendar feeds.",
    ),
    Subcommand(name="reminders", target=f"{_CLI}.reminders:app", help="Appointment reminders."),
    Subcommand(
        name="patients", target=f"{_CLI}.patients:app", help="Register, find and show patients."
    ),
    Subcommand(
        name="trials",
        target=f"{_CLI}.trials:app",
        help="Plan, dose, observe, discharge and decide trials.",
    ),
    Subcommand(
        name="pumps", target=f"{_CLI}.pumps:app", help="Implant, show and interrogate pumps."
    ),
    Subcommand(
        name="program-changes",
        target=f"{_CLI}.program_changes:app",
        help="Propose, sign, co-sign, send and show program changes.",
    ),
    Subcommand(
        name="pharmacy",
        target=f"{_CLI}.pharmacy:app",
        help="Pharmacy verification of admixtures and their syringe labels.",
    ),
    Subcommand(name="refills", target=f"{_CLI}.refills:app", help="Refills."),
    Subcommand(
        name="admixture-changes",
        target=f"{_CLI}.admixture_changes:app",
        help="Admixture changes at a refill: concentration, drug rotation, adjuvants, bridge bolus.",
    ),
    Subcommand(
        name="mri",
        target=f"{_CLI}.mri:app",
        help="Plan an MRI, empty the pump, clear, record the scan.",
    ),
    Subcommand(
        name="device-events",
        target=f"{_CLI}.device_events:app",
        help=(
            "Events of a pump's life: replacement, catheter revision, explant or end of therapy,"
            " interruption and restart, transfer of care."
        ),
    ),
    Subcommand(name="bolus", target=f"{_CLI}.bolus:app", help="Patient-activated boluses."),
    Subcommand(
        name="report", target=f"{_CLI}.report:app", help="Reports made from the clinic's records."
    ),
    Subcommand(
        name="export", target=f"{_CLI}.export:app", help="Export records in standard formats."
    ),
    # Running a clinic: the database, accounts, the audit log, the server, the demo.
    Subcommand(
        name="db",
        target=f"{_CLI}.db:app",
        help="Create, upgrade, back up and restore the thecal database.",
    ),
    Subcommand(
        name="users",
        target=f"{_CLI}.users:app",
        help=(
            "Create, list, deactivate and reactivate accounts (service accounts too); change a password;"
            " issue, list and revoke API tokens; enrol or reset authenticators."
        ),
    ),
    Subcommand(
        name="teams",
        target=f"{_CLI}.teams:app",
        help="Care teams (administrators) and break-the-glass (physicians, nurses).",
    ),
    Subcommand(name="audit", target=f"{_CLI}.audit:app", help="Audit log tools."),
    Subcommand(
        name="serve",
        target=f"{_CLI}.serve:serve",
        help=(
            "Check the schema and the audit log, then serve the web pages at /, the API at "
            "/api/v1 (OpenAPI at /api/v1/openapi.json) and /healthz, /readyz, /metrics. A "
            "database behind the code or an audit log that does not verify stops the start "
            "(exit 1) with every problem named; the log's head is checkpointed at start and "
            "every THECAL_AUDIT_CHECKPOINT_MINUTES."
        ),
    ),
    Subcommand(
        name="demo", target=f"{_CLI}.demo:app", help="Demo clinic helpers (development only)."
    ),
)


class _Commands(LazyGroup):
    registry = COMMANDS

    def invoke(self, ctx: Context) -> Any:
        """Run the command; a setting thecal cannot run with (THC-CONF-001), from any command,
        ends it with one paragraph naming the variable and the fix and exit status 2; a
        database it cannot reach or use, with one line naming it and exit status 4."""
        try:
            return super().invoke(ctx)
        except ConfigurationInvalid as refused:
            report_configuration_error(refused)
            raise typer.Exit(code=EXIT_CONFIGURATION) from None
        except (typer.Exit, typer.Abort):  # a command's own ending, already explained
            raise
        except Exception as error:
            problem = database_problem(error)
            if problem is None:
                raise
            sys.stderr.write(problem)
            raise typer.Exit(code=EXIT_DATABASE) from None


app = typer.Typer(
    name="thecal",
    cls=_Commands,
    no_args_is_help=True,
    help="thecal — intrathecal pain-pump therapy: calculators, safety review, pump twin and clinic records.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"thecal {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """thecal command line."""


def main() -> None:
    """Console-script entry point."""
    app()
