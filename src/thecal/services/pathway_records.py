"""Small records the pathway use cases store beside the domain aggregates.

* :class:`PharmacyVerification` — a pharmacist checked a dispensed admixture (drug, concentration,
  volume, lot, beyond-use date) against a pump's order (SR-08); a refill consumes it once.
* :class:`StoredTask` — a worklist task (``domain.tasks.Task``) with its id and open/done state.
* :class:`DeviceCommand` — one command that reached a pump, in order (the pump's command log; for
  the twin it is also the twin's memory: see ``adapters/twin_store.py``).
* :class:`LoggedDeviceEvent`, :class:`LoggedPatientBolus` — what interrogations reported.
* :class:`UsedToken` — a spent SR-16 confirmation token (replay is impossible across changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from thecal.domain.device_events import AlarmPriority
from thecal.domain.errors import Conflict, NotFound
from thecal.domain.refill import PharmacyLabel
from thecal.domain.tasks import Task, TaskClosure, TaskCompletion

__all__ = [
    "DeviceCommand",
    "LoggedDeviceEvent",
    "LoggedPatientBolus",
    "PharmacyVerification",
    "StoredTask",
    "TaskState",
    "UsedToken",
    "VerificationAlreadyUsed",
    "VerificationNotFound",
]


class VerificationNotFound(NotFound):
    code = "THC-PHARM-001"
    template = "pharmacy verification {ident} not found"


class VerificationAlreadyUsed(Conflict):
    code = "THC-PHARM-002"
    template = "pharmacy verification {ident} was already used by refill {refill_id}: verify a new admixture"


@dataclass(eq=False, kw_only=True)
class PharmacyVerification:
    """A verified dispensed admixture for one pump (identity ``id``; ``version`` for its one use)."""

    id: str
    pump_id: str
    patient_id: str
    label: PharmacyLabel
    verified_by: str
    verified_at: dt.datetime
    used_by_refill_id: str | None = None
    version: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PharmacyVerification) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def use(self, refill_id: str) -> None:
        if self.used_by_refill_id is not None:
            raise VerificationAlreadyUsed(ident=self.id, refill_id=self.used_by_refill_id)
        self.used_by_refill_id = refill_id
        self.version += 1


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


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceCommand:
    """One command to one pump: ``seq`` orders a pump's commands; ``payload`` is JSON-ready."""

    serial: str
    seq: int
    at: dt.datetime
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedDeviceEvent:
    pump_id: str
    at: dt.datetime
    code: str
    detail: str
    priority: AlarmPriority | None
    interrogated_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedPatientBolus:
    pump_id: str
    at: dt.datetime
    granted: bool
    reason: str
    uncertain: bool
    source: str  # "request" (thecal asked the pump) or "interrogation" (the pump's own log)


@dataclass(frozen=True, slots=True, kw_only=True)
class UsedToken:
    token_id: str
    change_id: str
    user_id: str
    used_at: dt.datetime
