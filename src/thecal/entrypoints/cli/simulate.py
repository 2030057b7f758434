"""`thecal simulate FILE`: run a pump-twin scenario, write its trace, print a summary, draw it.

The scenario format is documented in ``docs/scenarios/README.md``. ``--trace`` writes CSV or JSON
lines (by the file's extension); ``--plot`` draws the believed and true reservoir and the daily dose
at the catheter tip with matplotlib (Agg backend, no display needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.simulation.runner import SimulationRun, run_scenario
from thecal.simulation.scenario_file import parse_scenario
from thecal.simulation.summary import summarise
from thecal.simulation.trace import write_csv, write_jsonl

__all__ = ["simulate"]


def _write_trace(run: SimulationRun, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        if path.suffix == ".jsonl":
            write_jsonl(run.twin.trace, stream, start=run.scenario.start)
        else:
            write_csv(run.twin.trace, stream, start=run.scenario.start)


def simulate(
    file: Annotated[
        Path, typer.Argument(help="Scenario TOML file (see docs/scenarios/README.md).")
    ],
    trace: Annotated[
        Path | None, typer.Option("--trace", help="Write the trace: out.csv or out.jsonl.")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw reservoir and tip dose to FILE.png.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Run a pump-twin scenario and summarise it (delivered per drug at the tip, alarms, refills)."""
    with translate_errors(as_json=as_json):
        if trace is not None and trace.suffix not in (".csv", ".jsonl"):
            raise RequestInvalid(where="--trace", detail="the file must end in .csv or .jsonl")
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise RequestInvalid(where=str(file), detail=error.strerror or "unreadable") from None
        run = run_scenario(parse_scenario(text))
        if trace is not None:
            _write_trace(run, trace)
        if plot is not None:
            from thecal.entrypoints.cli.simulate_plot import draw  # noqa: PLC0415 - matplotlib only when asked

            draw(run, plot)
        summary = summarise(run)
        payload = summary.to_dict()
        if trace is not None:
            payload["trace"] = str(trace)
        if plot is not None:
            payload["plot"] = str(plot)
        emit(payload, summary.to_text(), as_json=as_json)
