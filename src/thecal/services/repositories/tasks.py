"""The stored worklist task and its repository port.

:class:`StoredTask` — a worklist task (``domain.tasks.Task``) with its id and open/done state.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.tasks import Task, TaskClosure, TaskCompletion
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "StoredTask",
    "TaskRepository",
    "TaskState",
]


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(eq=False, kw_only=True)
class StoredTask:
    id: str
    task: Task
    created_at: dt.datetime
    state: TaskState = TaskState.OPEN
    completed_by: str | None = None
    completed_at: dt.datetime | None = None
    how: TaskClosure | None = None  # set with completed_by/at when the task is closed
    note: str | None = None
    version: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StoredTask) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def completion(self) -> TaskCompletion | None:
        """Who closed the task, when and how; None while it is open."""
        if self.state is TaskState.OPEN or self.completed_by is None or self.completed_at is None:
            return None
        how = self.how if self.how is not None else TaskClosure.COMPLETED_BY_USER
        return TaskCompletion(by=self.completed_by, at=self.completed_at, how=how, note=self.note)

    def complete(
        self,
        *,
        user_id: str,
        at: dt.datetime,
        how: TaskClosure = TaskClosure.COMPLETED_BY_USER,
        note: str | None = None,
    ) -> TaskCompletion:
        """Close the open task (open → done), once.

        Raises:
            TaskAlreadyDone (THC-TASK-001): it was closed before; the first closure stands.
            ValueOutOfRange: a blank or over-long note, a naive time.
        """
        done = self.completion
        if done is not None:
            raise done.refuse_again(self.id)
        completion = TaskCompletion(by=user_id, at=at, how=how, note=note)
        self.state, self.completed_by, self.completed_at = TaskState.DONE, user_id, at
        self.how, self.note = completion.how, completion.note
        self.version += 1
        return completion


class TaskRepository(VersionedRepository[StoredTask]):
    kind = "task"

    def for_patient(self, patient_id: str, *, open_only: bool = False) -> Sequence[StoredTask]:
        """A patient's tasks by due date."""
        return [t for t in self._for_patient(patient_id, open_only=open_only) if self._remember(t)]

    def open_tasks(self, *, limit: int) -> Sequence[StoredTask]:
        """Up to ``limit`` open tasks of every patient, by due date (then id)."""
        return [t for t in self._open(limit=limit) if self._remember(t)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str, *, open_only: bool) -> Sequence[StoredTask]: ...

    @abc.abstractmethod
    def _open(self, *, limit: int) -> Sequence[StoredTask]: ...
