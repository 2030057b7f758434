"""`thecal worklist [--json] [--due-before DATE] [--kind KIND …]`: what is due, for every pump."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.domain.date_plausibility import REPORT_DAY, check_instant
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import instant
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

__all__ = ["worklist"]

#: Without --due-before the list shows what falls due within this horizon (clinic convenience).
DEFAULT_HORIZON = dt.timedelta(days=30)


def worklist(
    as_user: AsUser,
    due_before: Annotated[
        str | None, typer.Option(help="Only rows due before this (ISO; default now + 30 days).")
    ] = None,
    kind: Annotated[
        list[WorklistKind] | None, typer.Option(help="Only this kind (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows per page (1–500).")] = 50,
    offset: Annotated[
        int, typer.Option(help="Rows to skip (the previous page's next offset).")
    ] = 0,
    as_json: Json = False,
) -> None:
    """The worklist, by due date: refills, alarms, expiries, replacements, trials, co-signatures, tasks."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        source = SqlWorklistReadModel(thecal.engine)

        def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
            return read_worklist(cmd, uow=uow, clock=clock, source=source)

        now = thecal.clock.now()
        before = (
            check_instant("--due-before", instant(due_before, "--due-before"), REPORT_DAY, now=now)
            if due_before
            else now + DEFAULT_HORIZON
        )
        page = thecal.run(
            use_case,
            ReadWorklist(
                actor=resolve_actor(thecal, as_user),
                query=WorklistQuery(
                    kinds=frozenset(kind) if kind else None,
                    due_before=before,
                    limit=limit,
                    offset=offset,
                ),
            ),
        )
        rows = [
            {
                "kind": r.kind.value,
                "due": r.due.isoformat(),
                "patient_id": r.patient_id,
                "mrn": r.mrn,
                "patient_name": r.patient_name,  # as the API and docs/worklist.md name it
                "pump_id": r.pump_id,
                "serial": r.serial,
                "record_id": r.record_id,
                "detail": r.detail,
                "priority": r.priority,
            }
            for r in page.rows
        ]
        lines = [
            f"{r.due.isoformat()[:16]}  {r.kind.value:<24} {r.priority:<7} {r.mrn:<12} "
            f"{r.patient_name:<24} {r.serial or '—':<12} {r.detail}"
            for r in page.rows
        ] or ["nothing due"]
        if page.next_offset is not None:
            lines.append(f"… more: --offset {page.next_offset}")
        emit(
            {"as_of": page.as_of.isoformat(), "rows": rows, "next_offset": page.next_offset},
            "\n".join(lines),
            as_json=as_json,
        )
