"""The demo clinic keeps its worklist: no urgent task is left open past its due date.

An urgent task (a priming bolus to supervise after an implant, a refill's reconciliation to review)
is handled by the nurse on its day in a real clinic; the seed's patient courses do not all script
that step, so without this course the demo's worklist would open on years-old URGENT tasks. Every
evening at 17:00 UTC the nurse closes, through the real use case (``complete_task``, audited, with
the note the rule asks for, THC-TASK-004), every open urgent task due before then. Post-MRI tasks
are left to the MRI visit's own script (``pump_care.py``: closed by the interrogation, or by the
nurse after the refill of an emptied pump), so the scan of the demo's last day keeps its task open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from thecal.domain.tasks import TaskKind, TaskPriority
from thecal.services.clock import Clock
from thecal.services.demo.context import SeedContext
from thecal.services.tasks import CompleteTask, complete_task
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["KEEPING_NOTES", "task_keeping_course"]

#: What the nurse writes when closing each kind (demo text, not clinical advice).
KEEPING_NOTES: dict[TaskKind, str] = {
    TaskKind.POST_IMPLANT_MONITORING: (
        "priming bolus supervised; respiration monitored, no depression seen"
    ),
    TaskKind.RECONCILIATION_REVIEW: "reconciliation reviewed with the physician; no action needed",
}
_DEFAULT_NOTE = "seen and handled on the day"
_EVENING = dt.time(17, 0)
_LEFT_TO_THEIR_SCRIPT = frozenset({TaskKind.POST_MRI_INTERROGATION})


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueUrgent:
    before: dt.datetime


def _overdue_urgent(
    cmd: OverdueUrgent, *, uow: AbstractUnitOfWork, clock: Clock
) -> list[tuple[str, int, TaskKind]]:
    """(id, version, kind) of the open urgent tasks due before ``before`` (the nurse's own list:
    the closures that follow are the audited writes)."""
    del clock
    with uow:
        return [
            (t.id, t.version, t.task.kind)
            for t in uow.tasks.open_tasks(limit=500)
            if t.task.priority is TaskPriority.URGENT
            and t.task.due < cmd.before
            and t.task.kind not in _LEFT_TO_THEIR_SCRIPT
        ]


def task_keeping_course(ctx: SeedContext, first_day: dt.date) -> Iterator[dt.datetime]:
    """Every evening until the demo's last day: close the urgent tasks that fell due."""
    day = first_day
    while day < ctx.today:
        evening = dt.datetime.combine(day, _EVENING, tzinfo=dt.UTC)
        yield evening
        for task_id, version, kind in ctx.clinic.run(
            _overdue_urgent, OverdueUrgent(before=evening)
        ):
            ctx.clinic.run(
                complete_task,
                CompleteTask(
                    actor=ctx.staff.nurse,
                    task_id=task_id,
                    expected_version=version,
                    note=KEEPING_NOTES.get(kind, _DEFAULT_NOTE),
                ),
            )
            ctx.tally.add("urgent tasks closed on their day")
        day += dt.timedelta(days=1)
