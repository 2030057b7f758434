"""Rows ↔ stored worklist tasks (``tables/tasks.py``), and a task as a JSON dict (the tasks a
program change, a refill, an implant or an MRI plan created, stored with it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.adapters.sql.mappers.instants import instant, instant_or_none, iso_text
from thecal.domain.tasks import Task, TaskClosure, TaskKind, TaskPriority
from thecal.services.repositories.tasks import StoredTask, TaskState

__all__ = [
    "task_from_dict",
    "task_from_row",
    "task_to_dict",
    "task_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def task_to_dict(task: Task) -> dict[str, Any]:
    return {
        "kind": task.kind.value,
        "subject": task.subject,
        "origin": task.origin,
        "due": iso_text(task.due),
        "not_before": iso_text(task.not_before),
        "reason": task.reason,
        "source": task.source,
        "priority": task.priority.value,
    }


def task_from_dict(data: Mapping[str, Any]) -> Task:
    return Task(
        kind=TaskKind(data["kind"]),
        subject=data["subject"],
        origin=data["origin"],
        due=instant(data["due"]),
        not_before=instant_or_none(data.get("not_before")),
        reason=data["reason"],
        source=data["source"],
        priority=TaskPriority(data["priority"]),
    )


def task_to_row(stored: StoredTask) -> dict[str, Any]:
    t = stored.task
    return {
        "id": stored.id,
        "kind": t.kind.value,
        "patient_id": t.subject,
        "origin": t.origin,
        "due": t.due,
        "not_before": t.not_before,
        "reason": t.reason,
        "source": t.source,
        "priority": t.priority.value,
        "state": stored.state.value,
        "created_at": stored.created_at,
        "completed_by": stored.completed_by,
        "completed_at": stored.completed_at,
        "completed_how": stored.how.value if stored.how is not None else None,
        "completion_note": stored.note,
        "version": stored.version,
    }


def task_from_row(row: Row) -> StoredTask:
    return StoredTask(
        id=row["id"],
        task=Task(
            kind=TaskKind(row["kind"]),
            subject=row["patient_id"],
            origin=row["origin"],
            due=row["due"],
            not_before=row["not_before"],
            reason=row["reason"],
            source=row["source"],
            priority=TaskPriority(row["priority"]),
        ),
        created_at=row["created_at"],
        state=TaskState(row["state"]),
        completed_by=row["completed_by"],
        completed_at=row["completed_at"],
        how=TaskClosure(row["completed_how"]) if row["completed_how"] else None,
        note=row["completion_note"],
        version=int(row["version"]),
    )
