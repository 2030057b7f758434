"""Worklist tasks: list the open ones, mark one done, and close a post-MRI task by the
interrogation it asked for (``domain/tasks.py``).

* ``list_tasks``: open tasks by due date, of every patient or of one patient (or the patient of
  one pump); an audited PHI read;
* ``complete_task``: a physician or nurse marks an open task done, optionally with a note, in
  one audited transaction. A task closes once: a second closure is refused with
  ``TaskAlreadyDone`` (THC-TASK-001, 409) and the first closure stands; a caller that read an
  older version gets ``StaleTaskVersion`` (THC-TASK-003, 409); an URGENT task closes only with a
  note saying what was done (``UrgentTaskNeedsNote``, THC-TASK-004, 422; nothing changes);
* ``close_by_interrogation``: called for every interrogation (``services/device.py``
  ``record_snapshot``) in its transaction. A post-MRI interrogation task closes itself when
  the MRI plan's pump is interrogated after the recorded scan and the pump runs a program
  without a motor stall (S55, SR-15) — and only when interrogation is all the task asks: a task
  that also asks to refill an emptied pump or reset a flow-activated valve (S58, S60) stays open
  for a clinician to close;
* ``close_for_withdrawn_change``: called in the transaction that withdraws a program change (by
  a clinician, or by the event that takes its pump out of care, ``services/pump_care.py``): the
  change's open re-send and failure-review tasks no longer ask for anything and close as
  ``change-withdrawn``, each with its audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.devices import MriBehaviour
from thecal.domain.errors import Conflict, InvalidInput, NotFound, RequestInvalid
from thecal.domain.tasks import TaskClosure, TaskKind, TaskPriority
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_driver import PumpSnapshot
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.repositories.tasks import StoredTask
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_TASK_PAGE",
    "CompleteTask",
    "ListTasks",
    "StaleTaskVersion",
    "TaskNotFound",
    "UrgentTaskNeedsNote",
    "close_by_interrogation",
    "close_for_withdrawn_change",
    "complete_task",
    "list_tasks",
]

MAX_TASK_PAGE = 500


class TaskNotFound(NotFound):
    code = "THC-TASK-002"
    template = "task {ident} not found"


class StaleTaskVersion(Conflict):
    code = "THC-TASK-003"
    template = (
        "task {ident} is at version {current}, not {expected}: someone else changed it; "
        "reload and try again"
    )


class UrgentTaskNeedsNote(InvalidInput):
    """An urgent task (a patient may be harmed) closed without saying what was done."""

    code = "THC-TASK-004"
    template = (
        "task {ident} is urgent ({kind}): say in the note what was done before marking it done"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTasks:
    actor: Actor
    patient_id: str | None = None
    pump_id: str | None = None  # the tasks of this pump's patient
    limit: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_TASK_PAGE:
            raise RequestInvalid(where="limit", detail=f"must be 1–{MAX_TASK_PAGE}")
        if self.patient_id is not None and self.pump_id is not None:
            raise RequestInvalid(where="filter", detail="give a patient or a pump, not both")


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteTask:
    actor: Actor
    task_id: str
    expected_version: int | None = None  # None: no version check (the page's Done button)
    note: str | None = None


def list_tasks(cmd: ListTasks, *, uow: AbstractUnitOfWork, clock: Clock) -> list[StoredTask]:
    """The open tasks, earliest due first (an audited read).

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, Action.TASK_READ)
    with uow:
        patient_id = cmd.patient_id
        if cmd.pump_id is not None:
            pump = uow.pumps.get(cmd.pump_id)
            if pump is None:
                raise PumpNotFound(ident=cmd.pump_id)
            patient_id = pump.patient_id
        if patient_id is None:
            subject = Subject.collection("tasks")
            authorize(cmd.actor, Action.TASK_READ, subject)
            found = list(uow.tasks.open_tasks(limit=cmd.limit))
            if cmd.actor.reach is not None:  # a clinician: their care teams' patients (SR-21)
                found = [t for t in found if cmd.actor.reach.covers(t.task.subject)]
        else:
            subject = Subject.patient(patient_id)
            authorize(cmd.actor, Action.TASK_READ, subject)
            found = list(uow.tasks.for_patient(patient_id, open_only=True))[: cmd.limit]
        uow.audit.record(
            actor=cmd.actor,
            action=Action.TASK_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": cmd.pump_id, "returned": [t.id for t in found]},
        )
        uow.commit()
    return found


def complete_task(cmd: CompleteTask, *, uow: AbstractUnitOfWork, clock: Clock) -> StoredTask:
    """Mark an open task done (completed by this user), in one audited transaction.

    Raises:
        AccessDenied; TaskNotFound; TaskAlreadyDone (THC-TASK-001); StaleTaskVersion
        (THC-TASK-003); UrgentTaskNeedsNote (THC-TASK-004: an urgent task without a note);
        ValueOutOfRange (a blank or over-long note).
    """
    authorize_function(cmd.actor, Action.TASK_COMPLETE)
    now = clock.now()
    with uow:
        stored = uow.tasks.get(cmd.task_id)
        if stored is None:
            raise TaskNotFound(ident=cmd.task_id)
        subject = Subject.patient(stored.task.subject)
        authorize(cmd.actor, Action.TASK_COMPLETE, subject)
        done = stored.completion
        if done is not None:  # the clearer error first: twice is "already done", not "stale"
            raise done.refuse_again(stored.id)
        if cmd.expected_version is not None and cmd.expected_version != stored.version:
            raise StaleTaskVersion(
                ident=stored.id, current=stored.version, expected=cmd.expected_version
            )
        if stored.task.priority is TaskPriority.URGENT and not (cmd.note or "").strip():
            raise UrgentTaskNeedsNote(ident=stored.id, kind=stored.task.kind.value)
        completion = stored.complete(user_id=cmd.actor.user_id, at=now, note=cmd.note)
        uow.tasks.update(stored)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.TASK_COMPLETE,
            subject=subject,
            at=now,
            details={**_task_details(stored), "note": completion.note},
        )
        replan_visits(uow, stored.task.subject)  # the visits its facts ask for
        uow.commit()
    return stored


def close_by_interrogation(
    uow: AbstractUnitOfWork, pump: Pump, snapshot: PumpSnapshot, *, actor: Actor, at: dt.datetime
) -> list[str]:
    """Close the post-MRI tasks this interrogation satisfies; audit each; return their ids.

    Runs inside the caller's transaction (the interrogation's), so the closure and its audit
    entry commit or roll back with it.
    """
    if not _runs_its_program(snapshot):
        return []
    closed: list[str] = []
    for stored in uow.tasks.for_patient(pump.patient_id, open_only=True):
        if stored.task.kind is not TaskKind.POST_MRI_INTERROGATION:
            continue
        if not _satisfied_by(uow, stored, pump, snapshot):
            continue
        stored.complete(user_id=actor.user_id, at=at, how=TaskClosure.CLOSED_BY_INTERROGATION)
        uow.tasks.update(stored)
        uow.audit.record(
            actor=actor,
            action=Action.TASK_COMPLETE,
            subject=Subject.patient(pump.patient_id),
            at=at,
            details={
                **_task_details(stored),
                "pump_id": pump.id,
                "interrogated_at": snapshot.at.isoformat(),
            },
        )
        closed.append(stored.id)
    return closed


#: The tasks a program change raises about itself; they ask for nothing once it is withdrawn.
_CHANGE_TASKS = frozenset({TaskKind.PROGRAM_RESEND, TaskKind.PROGRAM_FAILURE_REVIEW})


def close_for_withdrawn_change(
    uow: AbstractUnitOfWork,
    *,
    change_id: str,
    patient_id: str,
    actor: Actor,
    at: dt.datetime,
) -> list[str]:
    """Close the open re-send and failure-review tasks of the withdrawn change ``change_id``
    (``change-withdrawn``), audit each, and return their ids.

    Runs inside the caller's transaction (the withdrawal's), so the closures and their audit
    entries commit or roll back with it.
    """
    closed: list[str] = []
    for stored in uow.tasks.for_patient(patient_id, open_only=True):
        if stored.task.kind not in _CHANGE_TASKS or stored.task.origin != change_id:
            continue
        stored.complete(user_id=actor.user_id, at=at, how=TaskClosure.CHANGE_WITHDRAWN)
        uow.tasks.update(stored)
        uow.audit.record(
            actor=actor,
            action=Action.TASK_COMPLETE,
            subject=Subject.patient(patient_id),
            at=at,
            details={**_task_details(stored), "change_id": change_id},
        )
        closed.append(stored.id)
    return closed


def _runs_its_program(snapshot: PumpSnapshot) -> bool:
    stalled = any(code == MriBehaviour.MOTOR_STALL.value for code, _ in snapshot.alarms)
    return snapshot.program is not None and snapshot.delivering and not stalled


def _satisfied_by(
    uow: AbstractUnitOfWork, stored: StoredTask, pump: Pump, snapshot: PumpSnapshot
) -> bool:
    """True when the task's MRI plan is this pump's, scanned before ``snapshot`` and asks for
    nothing but the interrogation."""
    plan_id = stored.task.origin
    if uow.mri_plans.pump_of(plan_id) != pump.id:
        return False
    plan = uow.mri_plans.get_plan(plan_id)
    if plan is None or plan.scanned_at is None or snapshot.at < plan.scanned_at:
        return False
    return plan.emptied_at is None and not plan.pump.flow_activated_valve


def _task_details(stored: StoredTask) -> dict[str, object]:
    done = stored.completion
    return {
        "task_id": stored.id,
        "kind": stored.task.kind.value,
        "origin": stored.task.origin,
        "state": stored.state.value,
        "how": done.how.value if done else None,
        "version": stored.version,
    }
