"""Worklist tasks on real databases (SQLite and PostgreSQL): a post-MRI task closes itself when the
pump is interrogated after the scan; a nurse marks a task done once; others may not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_USER,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    implant,
)

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.bootstrap import Thecal
from thecal.domain.authorization import AccessDenied
from thecal.domain.tasks import TaskAlreadyDone, TaskClosure, TaskKind, TaskPriority
from thecal.domain.users import User
from thecal.services.clock import Clock
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.mri import (
    ClearMri,
    PlanMri,
    RecordMriScan,
    clear_mri,
    plan_mri,
    record_mri_scan,
)
from thecal.services.pumps import implant_pump
from thecal.services.repositories.tasks import StoredTask, TaskState
from thecal.services.tasks import (
    CompleteTask,
    ListTasks,
    StaleTaskVersion,
    UrgentTaskNeedsNote,
    complete_task,
    list_tasks,
)
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

FAR = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


def _post_mri_rows(clinic: Thecal) -> list[str]:
    source = SqlWorklistReadModel(clinic.engine)

    def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    query = WorklistQuery(kinds=frozenset({WorklistKind.POST_MRI_INTERROGATION}), due_before=FAR)
    page = clinic.run(use_case, ReadWorklist(actor=actor(NURSE), query=query))
    return [r.record_id for r in page.rows]


def _post_mri_task(clinic: Thecal, clock: MovableClock) -> str:
    """A SynchroMed II (no emptying, no valve) cleared for a 1.5 T scan tomorrow."""
    clinic.run_device(implant_pump, implant())
    clinic.run(
        plan_mri,
        PlanMri(
            actor=actor(NURSE),
            pump_id="pump-1",
            scan_at=clock.now() + dt.timedelta(days=1),
            field_strength_t=Decimal("1.5"),
            plan_id="mri-1",
        ),
    )
    clinic.run(clear_mri, ClearMri(actor=actor(PHYSICIAN), plan_id="mri-1"))
    with clinic.uow() as uow:
        task_id = uow.mri_plans.task_of("mri-1")
    assert task_id is not None
    return task_id


def _task(clinic: Thecal, task_id: str) -> StoredTask:
    with clinic.uow() as uow:
        found = uow.tasks.get(task_id)
    assert found is not None
    return found


def _audit_actions(clinic: Thecal) -> list[tuple[str, str]]:
    with clinic.uow() as uow:
        return [(e.action, e.details_json) for e in uow.audit_log.entries()]


def test_the_post_mri_task_closes_when_the_pump_is_interrogated_after_the_scan(
    clinic: Thecal, clock: MovableClock
) -> None:
    _post_mri_task(clinic, clock)
    interrogate = InterrogatePump(actor=actor(NURSE), pump_id="pump-1")

    clinic.run_device(interrogate_pump, interrogate)  # before the scan: proves nothing
    (cleared_task,) = _post_mri_rows(clinic)
    assert _task(clinic, cleared_task).state is TaskState.OPEN

    clock.advance(days=1)
    clinic.run(record_mri_scan, RecordMriScan(actor=actor(NURSE), plan_id="mri-1"))
    (scan_task,) = _post_mri_rows(clinic)  # the re-dated task replaced the cleared one
    assert _task(clinic, cleared_task).completion.how is TaskClosure.SUPERSEDED  # type: ignore[union-attr]
    clock.advance(hours=2)
    clinic.run_device(interrogate_pump, interrogate)

    closed = _task(clinic, scan_task)
    assert closed.state is TaskState.DONE
    assert closed.completion is not None
    assert closed.completion.how is TaskClosure.CLOSED_BY_INTERROGATION
    assert (closed.completion.by, closed.completion.at) == (NURSE.id, clock.now())
    assert _post_mri_rows(clinic) == []
    closures = [d for a, d in _audit_actions(clinic) if a == "task.complete"]
    assert len(closures) == 1
    assert scan_task in closures[0]
    assert "closed-by-interrogation" in closures[0]


def test_a_nurse_completes_a_task_once_with_a_note(clinic: Thecal, clock: MovableClock) -> None:
    task_id = _post_mri_task(clinic, clock)
    listed = clinic.run(list_tasks, ListTasks(actor=actor(NURSE), patient_id="patient-1"))
    assert [t.id for t in listed if t.task.kind is TaskKind.POST_MRI_INTERROGATION] == [task_id]
    version = _task(clinic, task_id).version
    clock.advance(minutes=5)

    with pytest.raises(StaleTaskVersion):
        clinic.run(
            complete_task,
            CompleteTask(actor=actor(NURSE), task_id=task_id, expected_version=version + 1),
        )
    done = clinic.run(
        complete_task,
        CompleteTask(
            actor=actor(NURSE), task_id=task_id, expected_version=version, note="called the patient"
        ),
    )
    assert done.completion is not None
    assert (done.completion.how, done.completion.by, done.completion.note) == (
        TaskClosure.COMPLETED_BY_USER,
        NURSE.id,
        "called the patient",
    )
    stored = _task(clinic, task_id)
    assert (stored.state, stored.note, stored.completed_at) == (
        TaskState.DONE,
        "called the patient",
        clock.now(),
    )
    assert task_id not in _post_mri_rows(clinic)
    assert task_id not in [t.id for t in clinic.run(list_tasks, ListTasks(actor=actor(NURSE)))]

    audit_before = len(_audit_actions(clinic))
    clock.advance(minutes=5)
    with pytest.raises(TaskAlreadyDone) as again:
        clinic.run(complete_task, CompleteTask(actor=actor(PHYSICIAN), task_id=task_id))
    assert again.value.code == "THC-TASK-001"
    assert _task(clinic, task_id).completion == stored.completion  # the first closure stands
    assert len(_audit_actions(clinic)) == audit_before  # a refused closure changes nothing


@pytest.mark.parametrize("user", [PATIENT_USER, PHARMACIST], ids=["patient", "pharmacist"])
def test_a_patient_or_pharmacist_may_not_complete_or_list_tasks(
    clinic: Thecal, clock: MovableClock, user: User
) -> None:
    task_id = _post_mri_task(clinic, clock)
    with pytest.raises(AccessDenied):
        clinic.run(complete_task, CompleteTask(actor=actor(user), task_id=task_id))
    with pytest.raises(AccessDenied):
        clinic.run(list_tasks, ListTasks(actor=actor(user), patient_id="patient-1"))
    assert _task(clinic, task_id).state is TaskState.OPEN


@pytest.mark.parametrize("note", [None, "", "   "], ids=["no note", "empty", "blank"])
def test_an_urgent_task_closes_only_with_a_note(
    clinic: Thecal, clock: MovableClock, note: str | None
) -> None:
    task_id = _post_mri_task(clinic, clock)
    before = _task(clinic, task_id)
    assert before.task.priority is TaskPriority.URGENT
    audit_before = len(_audit_actions(clinic))

    with pytest.raises(UrgentTaskNeedsNote) as refused:
        clinic.run(
            complete_task,
            CompleteTask(
                actor=actor(NURSE), task_id=task_id, expected_version=before.version, note=note
            ),
        )

    assert refused.value.code == "THC-TASK-004"
    assert task_id in refused.value.message
    after = _task(clinic, task_id)
    assert (after.state, after.version, after.completion) == (TaskState.OPEN, before.version, None)
    assert len(_audit_actions(clinic)) == audit_before  # nothing recorded, nothing changed
    assert task_id in _post_mri_rows(clinic)
