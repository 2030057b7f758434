"""The worklist task repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.tasks import (
    task_from_row,
    task_to_row,
)
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.tasks import tasks
from thecal.services.repositories.tasks import StoredTask, TaskRepository, TaskState

__all__ = [
    "SqlAlchemyTaskRepository",
]


class SqlAlchemyTaskRepository(TaskRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: StoredTask) -> None:
        self._s.execute(insert(tasks).values(**task_to_row(aggregate)))

    def _get(self, ident: str) -> StoredTask | None:
        row = one_row(self._s, tasks, tasks.c.id == ident)
        return task_from_row(row) if row else None

    def _for_patient(self, patient_id: str, *, open_only: bool) -> Sequence[StoredTask]:
        statement = select(tasks).where(tasks.c.patient_id == patient_id)
        if open_only:
            statement = statement.where(tasks.c.state == TaskState.OPEN.value)
        rows = self._s.execute(statement.order_by(tasks.c.due, tasks.c.id)).mappings()
        return [task_from_row(r) for r in rows]

    def _open(self, *, limit: int) -> Sequence[StoredTask]:
        statement = (
            select(tasks)
            .where(tasks.c.state == TaskState.OPEN.value)  # ix_tasks_state_due
            .order_by(tasks.c.due, tasks.c.id)
            .limit(limit)
        )
        return [task_from_row(r) for r in self._s.execute(statement).mappings()]

    def _update(self, aggregate: StoredTask, *, expected_version: int) -> bool:
        return versioned_update(
            self._s, tasks, aggregate.id, expected_version, task_to_row(aggregate)
        )
