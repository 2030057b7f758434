"""``/tasks``: the open worklist tasks, and marking one done (``services/tasks.py``).

A task closes once: a second completion is 409 ``THC-TASK-001`` (the first closure stands); a
completion against an older version is 409 ``THC-TASK-003``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.schemas.fields import Ident, Whole, text_rule
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.repositories.tasks import StoredTask
from thecal.services.tasks import (
    MAX_TASK_PAGE,
    CompleteTask,
    ListTasks,
    complete_task,
    list_tasks,
)

__all__ = ["TaskCompletionIn", "TaskPublic", "TasksPublic", "router", "task_public"]

router = APIRouter(prefix="/tasks", tags=["tasks"])

TaskId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Task id.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskPublic(_Strict):
    id: str
    kind: str
    patient_id: str
    origin: str
    due: dt.datetime
    not_before: dt.datetime | None
    reason: str
    source: str
    priority: str
    state: str
    version: int
    created_at: dt.datetime
    completed_by: str | None
    completed_at: dt.datetime | None
    completed_how: str | None = Field(
        description="completed-by-user, closed-by-interrogation, superseded or change-withdrawn"
    )
    note: str | None


class TasksPublic(_Strict):
    items: list[TaskPublic]
    limit: int


class TaskCompletionIn(_Strict):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    note: Annotated[str, text_rule(2000, 1)] | None = None


def task_public(stored: StoredTask) -> TaskPublic:
    t = stored.task
    return TaskPublic(
        id=stored.id,
        kind=t.kind.value,
        patient_id=t.subject,
        origin=t.origin,
        due=t.due,
        not_before=t.not_before,
        reason=t.reason,
        source=t.source,
        priority=t.priority.value,
        state=stored.state.value,
        version=stored.version,
        created_at=stored.created_at,
        completed_by=stored.completed_by,
        completed_at=stored.completed_at,
        completed_how=stored.how.value if stored.how is not None else None,
        note=stored.note,
    )


@router.get(
    "",
    response_model=TasksPublic,
    responses={404: {"model": Problem}},
    summary="Open tasks, earliest due first (audited)",
)
def read(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    patient_id: Ident | None = None,
    pump_id: Ident | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TASK_PAGE)] = 100,
) -> TasksPublic:
    found = thecal.run(
        list_tasks, ListTasks(actor=actor, patient_id=patient_id, pump_id=pump_id, limit=limit)
    )
    return TasksPublic(items=[task_public(t) for t in found], limit=limit)


@router.post(
    "/{task_id}/completion",
    response_model=TaskPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Mark an open task done (once; send the version you read)",
)
def complete(
    task_id: TaskId, body: TaskCompletionIn, actor: CurrentActor, thecal: ThecalDep
) -> TaskPublic:
    stored = thecal.run(
        complete_task,
        CompleteTask(
            actor=actor, task_id=task_id, expected_version=body.expected_version, note=body.note
        ),
    )
    return task_public(stored)
