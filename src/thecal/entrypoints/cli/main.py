"""The `thecal` command."""

from __future__ import annotations

from typing import Annotated

import typer

from thecal import __version__
from thecal.entrypoints.cli import (
    audit,
    bolus,
    calc,
    db,
    demo,
    demo_users,
    mri,
    patients,
    pharmacy,
    program_changes,
    pumps,
    reference,
    refills,
    review,
    serve,
    simulate,
    tasks,
    trials,
    users,
    worklist,
)
from thecal.entrypoints.cli import export as export_cli
from thecal.entrypoints.cli import report as report_cli

app = typer.Typer(
    name="thecal",
    no_args_is_help=True,
    add_completion=False,
    help="thecal — intrathecal pain-pump therapy: calculators, safety review, pump twin and clinic records.",
)
app.add_typer(calc.app, name="calc")
app.command(name="simulate")(simulate.simulate)
app.command(name="review")(review.review_command)
app.add_typer(reference.app, name="reference")
app.add_typer(db.app, name="db")
app.add_typer(patients.app, name="patients")
app.add_typer(pumps.app, name="pumps")
app.add_typer(program_changes.app, name="program-changes")
app.add_typer(pharmacy.app, name="pharmacy")
app.add_typer(refills.app, name="refills")
app.add_typer(trials.app, name="trials")
app.add_typer(mri.app, name="mri")
app.add_typer(tasks.app, name="tasks")
app.add_typer(bolus.app, name="bolus")
app.command(name="worklist")(worklist.worklist)
app.add_typer(audit.app, name="audit")
app.add_typer(report_cli.app, name="report")
app.add_typer(export_cli.app, name="export")
app.add_typer(users.app, name="users")
app.add_typer(demo_users.app, name="demo")
demo_users.app.command(name="seed")(demo.seed_command)
demo_users.app.command(name="seed-if-empty")(demo.seed_if_empty_command)
app.command(name="serve")(serve.serve)


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
