"""`thecal tasks list|done`: the open worklist tasks, and marking one done (``services/tasks.py``).

A task closes once: `done` on a closed task exits 2 with THC-TASK-001 naming who closed it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.repositories.tasks import StoredTask
from thecal.services.tasks import CompleteTask, ListTasks, complete_task, list_tasks

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Open worklist tasks; mark one done.")


def _payload(stored: StoredTask) -> dict[str, Any]:
    t = stored.task
    return {
        "id": stored.id,
        "kind": t.kind.value,
        "patient_id": t.subject,
        "origin": t.origin,
        "due": t.due.isoformat(),
        "not_before": t.not_before.isoformat() if t.not_before else None,
        "priority": t.priority.value,
        "reason": t.reason,
        "source": t.source,
        "state": stored.state.value,
        "version": stored.version,
        "completed_by": stored.completed_by,
        "completed_at": stored.completed_at.isoformat() if stored.completed_at else None,
        "completed_how": stored.how.value if stored.how else None,
        "note": stored.note,
    }


@app.command("list")
def list_(
    as_user: AsUser,
    patient: Annotated[str | None, typer.Option(help="Only this patient's tasks.")] = None,
    pump: Annotated[str | None, typer.Option(help="Only the tasks of this pump's patient.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1–500).")] = 100,
    as_json: Json = False,
) -> None:
    """Open tasks, earliest due first (an audited read)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            list_tasks,
            ListTasks(
                actor=resolve_actor(thecal, as_user), patient_id=patient, pump_id=pump, limit=limit
            ),
        )
        lines = [
            f"{s.task.due.isoformat()[:16]}  {s.task.kind.value:<24} {s.task.priority.value:<7} "
            f"{s.id}  {s.task.reason}"
            for s in found
        ] or ["no open tasks"]
        emit({"tasks": [_payload(s) for s in found]}, "\n".join(lines), as_json=as_json)


@app.command()
def done(
    as_user: AsUser,
    task_id: Annotated[str, typer.Argument(help="The task's id (from `thecal tasks list`).")],
    note: Annotated[
        str | None, typer.Option(help="What was done (required for an urgent task).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Mark an open task done (completed by you), once."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        stored = thecal.run(
            complete_task,
            CompleteTask(actor=resolve_actor(thecal, as_user), task_id=task_id, note=note),
        )
        emit(
            _payload(stored),
            f"task {stored.id} done ({stored.task.kind.value}) by {stored.completed_by}",
            as_json=as_json,
        )
