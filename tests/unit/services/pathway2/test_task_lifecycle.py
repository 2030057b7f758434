"""A task closes once: who, when, how and an optional note; a second closure is refused and the
first one stands; bad notes and naive times are refused without changing the task."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.tasks import (
    MAX_TASK_NOTE,
    Task,
    TaskAlreadyDone,
    TaskClosure,
    TaskKind,
    TaskPriority,
)
from thecal.services.repositories.tasks import StoredTask, TaskState

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _open_task() -> StoredTask:
    task = Task(
        kind=TaskKind.POST_MRI_INTERROGATION,
        subject="patient-1",
        origin="mri-1",
        due=AT + dt.timedelta(hours=24),
        not_before=AT,
        reason="after MRI: interrogate the pump and confirm it runs its program",
        source="S55, SR-15",
        priority=TaskPriority.URGENT,
    )
    return StoredTask(id="task-1", task=task, created_at=AT)


def test_an_open_task_closes_once_with_who_when_how_and_note() -> None:
    stored = _open_task()
    assert stored.completion is None

    done = stored.complete(user_id="nina", at=AT, note="  pump interrogated, running  ")

    assert (stored.state, stored.version) == (TaskState.DONE, 2)
    assert stored.completion == done
    assert (done.by, done.at, done.how, done.note) == (
        "nina",
        AT,
        TaskClosure.COMPLETED_BY_USER,
        "pump interrogated, running",
    )


def test_closing_a_closed_task_is_refused_and_the_first_closure_stands() -> None:
    stored = _open_task()
    first = stored.complete(user_id="nina", at=AT, how=TaskClosure.CLOSED_BY_INTERROGATION)

    with pytest.raises(TaskAlreadyDone) as refused:
        stored.complete(user_id="paula", at=AT + dt.timedelta(minutes=5))

    assert refused.value.code == "THC-TASK-001"
    assert "closed-by-interrogation by nina" in refused.value.message
    assert (stored.completion, stored.version) == (first, 2)


@pytest.mark.parametrize(
    ("note", "at"),
    [
        ("   ", AT),
        ("x" * (MAX_TASK_NOTE + 1), AT),
        (None, AT.replace(tzinfo=None)),
    ],
    ids=["blank note", "over-long note", "naive time"],
)
def test_bad_input_is_refused_and_leaves_the_task_open(note: str | None, at: dt.datetime) -> None:
    stored = _open_task()
    with pytest.raises(ValueOutOfRange):
        stored.complete(user_id="nina", at=at, note=note)
    assert (stored.state, stored.version, stored.completion) == (TaskState.OPEN, 1, None)
