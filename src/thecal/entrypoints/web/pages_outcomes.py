"""The outcomes page: the clinic's figures with denominators, losses, intervals and charts.

``GET /outcomes`` shows the report for the chosen procedure, indication, time point and report
date (default: all procedures, 3 months, today); ``/outcomes/report.pdf``, ``.csv`` and ``.json``
download the same report. Each view is authorized and audited by ``open_outcome_report`` (the same
use case the CLI calls); the figures come from the outcome read model.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from thecal.adapters.documents.outcome_charts import pgic_chart, responder_chart, trajectory_chart
from thecal.adapters.documents.outcome_rows import CSV_COLUMNS, measure_rows, summary_document
from thecal.adapters.documents.report_pdf import render_outcome_pdf, report_title
from thecal.adapters.read_models.follow_up_capture import SqlCaptureReadModel
from thecal.adapters.read_models.outcomes import KIND_OF_TYPE, SqlOutcomeReadModel
from thecal.domain.date_plausibility import REPORT_DAY, check_date
from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.web.rendering import page_auth, render, thecal_of
from thecal.reports.follow_up_capture import (
    CaptureQuery,
    TimePointCapture,
    capture_document,
    capture_sentence,
)
from thecal.reports.outcome_policy import OutcomePolicy
from thecal.reports.outcome_source import OutcomeSummary, outcome_summary
from thecal.reports.outcomes import ProcedureType
from thecal.services.outcomes import OpenOutcomeReport, open_outcome_report

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=64)]


def _summary(
    request: Request,
    *,
    procedure: str | None,
    indication: str | None,
    time_point: str | None,
    report_date: str | None,
    output: str,
) -> OutcomeSummary:
    auth = page_auth(request)
    thecal = thecal_of(request)
    policy = OutcomePolicy()
    point = policy.time_point(time_point or "3 months")
    chosen = None
    if procedure:
        try:
            chosen = ProcedureType(procedure)
        except ValueError:
            raise RequestInvalid(where="procedure", detail=f"{procedure!r} is unknown") from None
    today = thecal.clock.now().astimezone(dt.UTC).date()
    try:
        day = dt.date.fromisoformat(report_date) if report_date else today
    except ValueError:
        raise RequestInvalid(where="report date", detail=f"{report_date!r} is not a date") from None
    check_date("report date", day, REPORT_DAY, today=today)
    thecal.run(
        open_outcome_report,
        OpenOutcomeReport(
            actor=auth.actor,
            procedure=None if chosen is None else chosen.value,
            indication=indication or None,
            time_point=point.name,
            report_date=day,
            output=output,
        ),
    )
    return outcome_summary(
        SqlOutcomeReadModel(thecal.engine),
        policy,
        report_date=day,
        time_point=point,
        procedure=chosen,
        indication=indication or None,
    )


def _capture(request: Request, summary: OutcomeSummary) -> list[TimePointCapture]:
    """Follow-up capture per time point for the same episodes (aggregates only)."""
    report = summary.report
    kinds = (
        tuple(k.value for k in KIND_OF_TYPE.values())
        if report.procedure is None
        else (KIND_OF_TYPE[report.procedure].value,)
    )
    return SqlCaptureReadModel(thecal_of(request).engine).capture(
        CaptureQuery(kinds=kinds, report_date=report.report_date, indication=report.indication),
        summary.policy.time_points,
    )


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@router.get("/outcomes", response_class=HTMLResponse)
def outcomes_page(
    request: Request,
    *,
    procedure: Text = None,
    indication: Text = None,
    time_point: Text = None,
    report_date: Text = None,
) -> Response:
    summary = _summary(
        request,
        procedure=procedure,
        indication=indication,
        time_point=time_point,
        report_date=report_date,
        output="page",
    )
    query = request.url.query
    return render(
        request,
        "outcomes.html",
        title=report_title(summary),
        document=summary_document(summary),
        report=summary.report,
        procedures=[p.value for p in ProcedureType],
        time_points=[p.name for p in summary.policy.time_points],
        chosen={
            "procedure": procedure or "",
            "indication": indication or "",
            "time_point": summary.report.time_point.name,
            "report_date": summary.report.report_date.isoformat(),
        },
        charts={
            "responders": _png(responder_chart(summary)),
            "pgic": _png(pgic_chart(summary)),
            "trajectory": _png(trajectory_chart(summary)),
        },
        query=("?" + query) if query else "",
        capture=[(row, capture_sentence(row)) for row in _capture(request, summary)],
    )


@router.get("/outcomes/report.{extension}")
def outcomes_download(
    request: Request,
    extension: str,
    *,
    procedure: Text = None,
    indication: Text = None,
    time_point: Text = None,
    report_date: Text = None,
) -> Response:
    if extension not in {"pdf", "csv", "json"}:
        raise RequestInvalid(where="format", detail="pdf, csv or json")
    summary = _summary(
        request,
        procedure=procedure,
        indication=indication,
        time_point=time_point,
        report_date=report_date,
        output=extension,
    )
    name = f"outcomes-{summary.report.report_date.isoformat()}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "pdf":
        return Response(render_outcome_pdf(summary), media_type="application/pdf", headers=headers)
    if extension == "json":
        document = summary_document(summary)
        document["follow_up_capture"] = capture_document(_capture(request, summary))
        body = json.dumps(document, indent=2, ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(measure_rows(summary))
    return Response(buffer.getvalue(), media_type="text/csv", headers=headers)
