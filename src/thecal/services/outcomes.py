"""The outcome-report use case: who may see clinic outcome figures, and the audit entry it leaves.

An outcome report shows aggregate figures only (counts, proportions, intervals — no identifiers),
but it is computed from every patient's assessments, so it is authorized (``outcomes.report``:
physicians, nurses and admins) and written to the audit log with its filters, like any PHI read.

How an edge (CLI, outcomes page, PDF download) makes a report::

    thecal.run(open_outcome_report, OpenOutcomeReport(actor=..., procedure="epidural_steroid_injection",
                                                     indication=None, time_point="3 months",
                                                     report_date=day))
    summary = outcome_summary(SqlOutcomeReadModel(thecal.engine), policy,
                              report_date=day, time_point=policy.time_point("3 months"),
                              procedure=ProcedureType.EPIDURAL_STEROID_INJECTION)

then renders ``summary`` (``adapters/documents/report_pdf.py``, ``adapters/documents/outcome_charts.py``,
``entrypoints/cli/report.py`` for text, JSON and CSV). Services do not import ``reports`` (they are
sibling layers), so this module deals in the filter values only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["OUTCOMES_SUBJECT", "OpenOutcomeReport", "open_outcome_report"]

OUTCOMES_SUBJECT = Subject.collection("outcomes")


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenOutcomeReport:
    """A request to see an outcome report.

    Attributes:
        actor: who asks.
        procedure: the procedure type code, or ``None`` for all.
        indication: the indication code, or ``None`` for all.
        time_point: the time point's name ("3 months").
        report_date: the day the report is as of.
        output: the format asked for (text, json, csv, pdf, page).
    """

    actor: Actor
    procedure: str | None
    indication: str | None
    time_point: str
    report_date: dt.date
    output: str = "text"


def open_outcome_report(cmd: OpenOutcomeReport, *, uow: AbstractUnitOfWork, clock: Clock) -> None:
    """Authorize an outcome report and record that it was made (before it is computed).

    Raises:
        AccessDenied: the actor may not see outcome reports.
        ValueOutOfRange: a report date after today (figures "as of" the future would count
            windows that have not passed).
    """
    authorize(cmd.actor, Action.OUTCOMES_REPORT, OUTCOMES_SUBJECT)
    now = clock.now()
    if cmd.report_date > now.astimezone(dt.UTC).date():
        raise ValueOutOfRange(
            name="report date", expected=f"today ({now.date()}) or earlier", value=cmd.report_date
        )
    with uow:
        uow.audit.record(
            actor=cmd.actor,
            action=Action.OUTCOMES_REPORT,
            subject=OUTCOMES_SUBJECT,
            at=now,
            details={
                "procedure": cmd.procedure,
                "indication": cmd.indication,
                "time_point": cmd.time_point,
                "report_date": cmd.report_date.isoformat(),
                "output": cmd.output,
            },
        )
        uow.commit()
