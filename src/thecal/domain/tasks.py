"""Worklist tasks that the pathway workflows create: what must happen, for whom, by when.

A task is open until it is closed, once, with who closed it, when and how
(:class:`TaskClosure`): a user marked it done, the interrogation it asked for was recorded, or a
re-dated copy replaced it. Closing a closed task is refused (:class:`TaskAlreadyDone`), never
silently repeated, so the record keeps the first closure.

A task is a value; the services layer stores it and the worklist shows it. Workflows create tasks
for the steps that must never be forgotten: the interrogation after every MRI (SR-15, S55), the
next refill (clinical.md §11 rule 7), a re-send of an undelivered program, a suspected pocket fill
after a refill (S77), a refill discrepancy to work up (S73, S74, S75), the monitoring after an
implant's priming bolus (S53, SR-14) and a vital-sign alert after a trial dose (S39, S99).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.actors import require_aware, require_text
from thecal.domain.errors import Conflict, ValueOutOfRange

__all__ = [
    "MAX_TASK_NOTE",
    "Task",
    "TaskAlreadyDone",
    "TaskClosure",
    "TaskCompletion",
    "TaskKind",
    "TaskPriority",
]

MAX_TASK_NOTE = 2000  # characters: a sentence or two on what was done, not a clinical note


class TaskKind(StrEnum):
    REFILL_DUE = "refill-due"
    POST_MRI_INTERROGATION = "post-mri-interrogation"
    PROGRAM_RESEND = "program-resend"
    PROGRAM_FAILURE_REVIEW = "program-failure-review"
    POCKET_FILL_WATCH = "pocket-fill-watch"
    RECONCILIATION_REVIEW = "reconciliation-review"
    POST_IMPLANT_MONITORING = "post-implant-monitoring"
    CANDIDACY_ASSESSMENT = "candidacy-assessment"  # an accepted referral's patient (scheduling)
    RESERVOIR_DISCREPANCY = "reservoir-discrepancy"  # pump count vs the record beyond the band
    BREAK_GLASS_REVIEW = "break-glass-review"  # a clinician opened a patient outside their teams
    TRIAL_VITAL_SIGN_ALERT = "trial-vital-sign-alert"  # a trial observation breached a limit
    PROGRAM_MISMATCH = "program-mismatch"  # the pump runs a program the record does not explain


class TaskPriority(StrEnum):
    URGENT = "urgent"  # now: a patient may be harmed (suspected pocket fill, undelivered program)
    ROUTINE = "routine"  # by the due date


class TaskClosure(StrEnum):
    """How an open task was closed."""

    COMPLETED_BY_USER = "completed-by-user"  # a clinician marked it done
    CLOSED_BY_INTERROGATION = "closed-by-interrogation"  # the interrogation it asked for happened
    SUPERSEDED = "superseded"  # a re-dated task replaced it (MRI: the scan time was recorded)
    CHANGE_WITHDRAWN = "change-withdrawn"  # the program change it was about was withdrawn


class TaskAlreadyDone(Conflict):
    code = "THC-TASK-001"
    template = "task {ident} is already done ({how} by {by} at {at})"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCompletion:
    """Who closed a task, when, how, and an optional note."""

    by: str
    at: dt.datetime
    how: TaskClosure
    note: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, name="task completion time")
        object.__setattr__(self, "by", require_text(self.by, name="task completed by"))
        if self.note is not None:
            note = require_text(self.note, name="task note")
            if len(note) > MAX_TASK_NOTE:
                raise ValueOutOfRange(
                    name="task note",
                    expected=f"at most {MAX_TASK_NOTE} characters",
                    value=len(note),
                )
            object.__setattr__(self, "note", note)

    def refuse_again(self, ident: str) -> TaskAlreadyDone:
        """The error for a second attempt to close the task this completion closed."""
        return TaskAlreadyDone(ident=ident, how=self.how.value, by=self.by, at=self.at.isoformat())


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """One worklist entry.

    Attributes:
        kind: what has to be done.
        subject: the patient id the task is about.
        origin: the id of the record that created it (refill, MRI plan, program change, implant).
        due: the latest time it must be done (timezone-aware).
        not_before: the earliest time it makes sense (for example after the scan), if any.
        reason: one sentence with the numbers, for the worklist.
        source: the source key(s) behind the task.
        priority: urgent or routine.
    """

    kind: TaskKind
    subject: str
    origin: str
    due: dt.datetime
    reason: str
    source: str
    not_before: dt.datetime | None = None
    priority: TaskPriority = TaskPriority.ROUTINE

    def __post_init__(self) -> None:
        require_aware(self.due, name="task due")
        if self.not_before is not None:
            require_aware(self.not_before, name="task not_before")
            if self.not_before > self.due:
                raise ValueOutOfRange(
                    name="task window",
                    expected="not_before ≤ due",
                    value=f"{self.not_before.isoformat()} > {self.due.isoformat()}",
                )
        object.__setattr__(self, "subject", require_text(self.subject, name="task subject"))
        object.__setattr__(self, "reason", require_text(self.reason, name="task reason"))
