"""`thecal report outcomes`: the clinic's outcome figures, honestly — as text, JSON, CSV or PDF.

Every output carries the denominators (eligible, completers, lost to follow-up, not yet due), both
proportions with their 95 % Wilson intervals, the time point and its window, the report date and
the policy thresholds with their sources. The figures come from the records
(``procedures``/``assessments``) through the outcome read model; making a report is authorized and
audited (``outcomes.report``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from thecal.adapters.documents.outcome_rows import CSV_COLUMNS, measure_rows, summary_document
from thecal.adapters.documents.report_pdf import render_outcome_pdf, report_title
from thecal.adapters.read_models.follow_up_capture import SqlCaptureReadModel
from thecal.adapters.read_models.outcomes import KIND_OF_TYPE, SqlOutcomeReadModel
from thecal.domain.date_plausibility import REPORT_DAY, check_date
from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.cli.db import AsUser, open_app, resolve_actor
from thecal.entrypoints.cli.output import translate_errors
from thecal.entrypoints.cli.progress import progress_bar
from thecal.reports.follow_up_capture import CaptureQuery, capture_document, capture_sentence
from thecal.reports.outcome_policy import OutcomePolicy
from thecal.reports.outcome_source import (
    EpisodeQuery,
    EpisodeSource,
    OutcomeSummary,
    outcome_summary,
)
from thecal.reports.outcomes import Episode, ProcedureType
from thecal.services.outcomes import OpenOutcomeReport, open_outcome_report
from thecal.services.progress import Progress, counted

__all__ = ["app", "outcomes", "summary_text"]

app = typer.Typer(no_args_is_help=True, help="Reports made from the clinic's records.")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


def _procedure(text: str) -> ProcedureType | None:
    if text == "all":
        return None
    for member in ProcedureType:
        if text in {member.value, member.value.replace("_", "-")}:
            return member
    known = ", ".join(m.value for m in ProcedureType)
    raise RequestInvalid(where="--procedure", detail=f"{text!r} is not one of all, {known}")


def _day(text: str | None, today: dt.date) -> dt.date:
    if text is None:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where="--report-date", detail=f"{text!r} is not YYYY-MM-DD") from None
    return check_date("--report-date", day, REPORT_DAY, today=today)


def summary_text(summary: OutcomeSummary) -> str:
    """The report as plain text: header, sentences, counts, thresholds."""
    document = summary_document(summary)
    report, point = summary.report, summary.report.time_point
    lines = [
        report_title(summary),
        (
            f"as of {document['report_date']}; {point.name} = day {point.target_day} ± "
            f"{point.window_days} after the procedure"
        ),
        f"episodes {report.episodes}; due {report.due}; not yet due {report.not_yet_due}",
        "",
    ]
    lines += [f"- {m['sentence']}." for m in document["measures"]]
    lines.append("")
    for m in document["measures"]:
        lines.append(
            f"{m['measure']}: {m['responders']} of {m['completers']} completers, "
            f"{m['eligible']} eligible, {m['lost_to_follow_up']} lost, "
            f"{m['no_baseline']} without baseline; threshold {m['threshold']} "
            f"[{m['threshold_source']}]"
        )
    return "\n".join(lines)


def _csv(summary: OutcomeSummary) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(measure_rows(summary))
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _Counted:
    """An episode source that reports how many episodes it has sent (total unknown)."""

    source: EpisodeSource
    progress: Progress | None

    def episodes(self, query: EpisodeQuery) -> Iterator[Episode]:
        return counted(self.source.episodes(query), self.progress, total=None)


@app.command()
def outcomes(
    as_user: AsUser,
    time_point: Annotated[
        str,
        typer.Option(
            "--time-point", help="A policy time point: 1-month, 3-months, 6-months, 12-months."
        ),
    ] = "3-months",
    procedure: Annotated[
        str,
        typer.Option(
            help="facet_joint_injection, epidural_steroid_injection, intrathecal_trial, intrathecal_pump or all."
        ),
    ] = "all",
    indication: Annotated[str | None, typer.Option(help="Only this indication code.")] = None,
    report_date: Annotated[
        str | None,
        typer.Option("--report-date", help="The day the report is as of (default today, UTC)."),
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (required for pdf).")
    ] = None,
) -> None:
    """Outcome figures at one time point, with denominators, losses and 95 % intervals."""
    as_json = output_format is Format.JSON
    with translate_errors(as_json=as_json), open_app() as thecal:
        if output_format is Format.PDF and output is None:
            raise RequestInvalid(where="--output", detail="a PDF needs a file to go to")
        policy = OutcomePolicy()
        point = policy.time_point(time_point.replace("-", " "))
        chosen = _procedure(procedure)
        day = _day(report_date, thecal.clock.now().astimezone(dt.UTC).date())
        actor = resolve_actor(thecal, as_user)
        thecal.run(
            open_outcome_report,
            OpenOutcomeReport(
                actor=actor,
                procedure=None if chosen is None else chosen.value,
                indication=indication,
                time_point=point.name,
                report_date=day,
                output=output_format.value,
            ),
        )
        with progress_bar("Reading episodes", as_json=as_json) as progress:
            summary = outcome_summary(
                _Counted(SqlOutcomeReadModel(thecal.engine), progress),
                policy,
                report_date=day,
                time_point=point,
                procedure=chosen,
                indication=indication,
            )
        if output_format is Format.PDF:
            assert output is not None  # noqa: S101 - checked above
            output.write_bytes(render_outcome_pdf(summary))
            typer.echo(f"wrote {output}")
            return
        capture = SqlCaptureReadModel(thecal.engine).capture(
            CaptureQuery(
                kinds=(KIND_OF_TYPE[chosen].value,)
                if chosen is not None
                else tuple(k.value for k in KIND_OF_TYPE.values()),
                report_date=day,
                indication=indication,
            ),
            policy.time_points,
        )
        match output_format:
            case Format.JSON:
                document = summary_document(summary)
                document["follow_up_capture"] = capture_document(capture)
                text = json.dumps(document, indent=2, ensure_ascii=False)
            case Format.CSV:
                text = _csv(summary)
            case _:
                text = (
                    summary_text(summary)
                    + "\n\nfollow-up capture:\n"
                    + "\n".join(f"- {capture_sentence(row)}" for row in capture)
                )
        if output is None:
            typer.echo(text.rstrip("\n"))
        else:
            output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            typer.echo(f"wrote {output}")
