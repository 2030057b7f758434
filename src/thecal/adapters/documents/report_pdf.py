"""The outcome report as a PDF (reportlab): figures with their denominators, intervals and policy.

Page 1: what the report is about (procedure, indication, time point and window, report date, how
many episodes were due), the clinic-style sentences, and the table of every count. Page 2: the
responder bars with Wilson intervals, the PGIC distribution, the pain and function trajectories,
and the thresholds with their sources. Text uses DejaVu Sans (shipped with matplotlib) so that
"≥", "–" and "±" print as written.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from thecal.adapters.documents.fonts import BOLD, REGULAR, register_fonts
from thecal.adapters.documents.outcome_charts import (
    MEASURE_LABELS,
    pgic_chart,
    responder_chart,
    trajectory_chart,
)
from thecal.adapters.documents.outcome_rows import summary_document
from thecal.reports.outcome_source import OutcomeSummary
from thecal.reports.outcomes import Measure

__all__ = ["render_outcome_pdf", "report_title"]

_FONT, _BOLD = REGULAR, BOLD
_WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=_FONT, fontSize=9, leading=12, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=_BOLD, fontSize=15, leading=19),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=_BOLD, fontSize=11, leading=15, spaceBefore=8
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "sentence": ParagraphStyle(
            "sentence", parent=base, leftIndent=10, bulletIndent=0, spaceAfter=3
        ),
    }


def report_title(summary: OutcomeSummary) -> str:
    """ "Outcomes of our epidural patients with indication L-RAD at 3 months"."""
    report = summary.report
    group = (
        "all procedures" if report.procedure is None else report.procedure.value.replace("_", " ")
    )
    if report.indication is not None:
        group += f", indication {report.indication}"
    return f"Outcomes: {group} — at {report.time_point.name}"


def _counts_table(document: dict[str, Any], styles: dict[str, ParagraphStyle]) -> Table:
    cell = styles["cell"]
    header = [
        "measure",
        "threshold (source)",
        "responders / completers",
        "eligible",
        "lost",
        "no baseline",
        "completers only (95 % CI)",
        "lost = non-responders (95 % CI)",
    ]
    rows: list[list[Any]] = [[Paragraph(escape(text), cell) for text in header]]
    for measure in document["measures"]:
        done, all_ = measure["completers_only"], measure["lost_as_non_responders"]
        rows.append(
            [
                Paragraph(escape(MEASURE_LABELS[Measure(measure["measure"])]), cell),
                Paragraph(escape(f"{measure['threshold']} [{measure['threshold_source']}]"), cell),
                f"{measure['responders']} / {measure['completers']}",
                str(measure["eligible"]),
                str(measure["lost_to_follow_up"]),
                str(measure["no_baseline"]),
                Paragraph(_interval(done), cell),
                Paragraph(_interval(all_), cell),
            ]
        )
    table = Table(
        rows, colWidths=[21 * mm, 35 * mm, 21 * mm, 14 * mm, 10 * mm, 15 * mm, 29 * mm, 29 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _FONT, 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _interval(proportion: dict[str, Any] | None) -> str:
    if proportion is None:
        return "—"
    return (
        f"<b>{proportion['percent']} %</b><br/>({proportion['ci_low_percent']}–"
        f"{proportion['ci_high_percent']} %)"
    )


def _policy_table(document: dict[str, Any], styles: dict[str, ParagraphStyle]) -> Table:
    cell = styles["cell"]
    rows = [[Paragraph(t, cell) for t in ("setting", "value", "source")]]
    rows += [
        [
            Paragraph(escape(r["setting"]), cell),
            Paragraph(escape(r["value"]), cell),
            Paragraph(escape(r["source"]), cell),
        ]
        for r in document["policy"]
    ]
    table = Table(rows, colWidths=[40 * mm, 95 * mm, 39 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _image(png: bytes, height_mm: float) -> Image:
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth = _WIDTH
    image.drawHeight = min(height_mm * mm, _WIDTH * ratio)
    image.drawWidth = image.drawHeight / ratio
    return image


def render_outcome_pdf(summary: OutcomeSummary) -> bytes:
    """The outcome report as PDF bytes (two A4 pages)."""
    register_fonts()
    styles = _styles()
    document = summary_document(summary)
    report, point = summary.report, summary.report.time_point
    story: list[Any] = [
        Paragraph(escape(report_title(summary)), styles["title"]),
        Spacer(1, 3 * mm),
        Paragraph(
            escape(
                f"As of {document['report_date']}. Time point {point.name}: day {point.target_day} "
                f"± {point.window_days} after the procedure (days {point.first_day}–{point.last_day}). "
                f"Episodes: {report.episodes}; due (window passed): {report.due}; "
                f"not yet due, left out: {report.not_yet_due}."
            ),
            styles["body"],
        ),
        Paragraph("In the clinic's words", styles["h2"]),
    ]
    story += [
        Paragraph(escape(m["sentence"]) + ".", styles["sentence"], bulletText="•")
        for m in document["measures"]
    ]
    story += [
        Paragraph("Every count", styles["h2"]),
        _counts_table(document, styles),
        Spacer(1, 2 * mm),
        Paragraph(
            escape(
                "Eligible: due, with the baseline the measure needs. Completers: eligible with a "
                "follow-up inside the window (the one closest to the target day). Lost to "
                "follow-up = eligible − completers; shown both ways: completers only, and lost "
                "counted as non-responders. Intervals: Wilson score, 95 %. 'Over X %' is written "
                "only when the proportion is strictly above X."
            ),
            styles["small"],
        ),
        KeepTogether(
            [
                Paragraph("Thresholds (clinic policy) and their sources", styles["h2"]),
                _policy_table(document, styles),
            ]
        ),
        PageBreak(),
        Paragraph("Responders", styles["h2"]),
        _image(responder_chart(summary), 80),
        KeepTogether(
            [
                Paragraph("PGIC answers of the completers", styles["h2"]),
                _image(pgic_chart(summary), 55),
            ]
        ),
        KeepTogether(
            [
                Paragraph(
                    "Pain and function over time (completers at each time point)", styles["h2"]
                ),
                _image(trajectory_chart(summary), 60),
            ]
        ),
    ]
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=report_title(summary),
        author="thecal",
        invariant=1,
    )
    pdf.build(story)
    return buffer.getvalue()
