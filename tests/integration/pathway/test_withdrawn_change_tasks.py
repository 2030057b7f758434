"""A withdrawn program change takes its open re-send task with it, on SQLite and PostgreSQL.

An uncertain send that an interrogation shows was not delivered raises an urgent
``program-resend`` task. Withdrawing the change — by a clinician, or by the event that takes the
pump out of care — closes that task as ``change-withdrawn``, audited as ``task.complete`` with the
change's id, in the withdrawal's transaction; tasks of other changes stay open.
"""

from __future__ import annotations

import json

from pathway_scenario import (
    NURSE,
    PHYSICIAN,
    SERIAL,
    MovableClock,
    actor,
    cosign,
    implant,
    propose,
    sign,
)
from sqlalchemy import select

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.program_change import ProgramChange, ProgramChangeState
from thecal.domain.tasks import TaskClosure, TaskKind
from thecal.domain.therapy_discontinuation import DiscontinuationKind, WithdrawalPlan
from thecal.domain.units import Duration
from thecal.services.clock import Clock
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.program_changes import (
    SendProgramChange,
    WithdrawProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.repositories.tasks import StoredTask
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)
from thecal.simulation.faults import TelemetryFailure

PLAN = WithdrawalPlan(drug_ids=("morphine",), text="oral morphine 30 mg/day, taper over 4 weeks")


def _pump_version(clinic: Thecal) -> int:
    return clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version


def _not_delivered(clinic: Thecal, clock: MovableClock, dose: str, key: str) -> ProgramChange:
    """A co-signed change sent with an uncertain result that an interrogation shows the pump
    never received: NOT_DELIVERED, with its open re-send task."""
    change = clinic.run(propose_program_change, propose(dose, key=key)).change
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    with clinic.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        driver.inject_fault(SERIAL, TelemetryFailure(applied=False, duration=Duration.hours(1)))
        uow.commit()
    clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(PHYSICIAN),
            change_id=change.change_id,
            expected_pump_version=_pump_version(clinic),
        ),
    )
    clock.advance(hours=2)  # the link is back
    reading = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in reading.resolved] == [ProgramChangeState.NOT_DELIVERED]
    assert [t.task.kind for t in _tasks_of(clinic, change.change_id)] == [TaskKind.PROGRAM_RESEND]
    return change


def _tasks_of(clinic: Thecal, change_id: str, *, open_only: bool = False) -> list[StoredTask]:
    with clinic.uow() as uow:
        tasks = uow.tasks.for_patient("patient-1", open_only=open_only)
    return [t for t in tasks if t.task.origin == change_id]


def _resend_rows(clinic: Thecal) -> int:
    """How many re-send rows the nurse's worklist shows."""
    source = SqlWorklistReadModel(clinic.engine)

    def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    page = clinic.run(use_case, ReadWorklist(actor=actor(NURSE), query=WorklistQuery(limit=200)))
    return sum(1 for row in page.rows if row.kind is WorklistKind.PROGRAM_RESEND)


def _task_closures(clinic: Thecal) -> list[dict[str, object]]:
    with clinic.engine.connect() as conn:
        rows = conn.execute(
            select(audit_entries.c.details_json).where(audit_entries.c.action == "task.complete")
        ).all()
    return [json.loads(row[0]) for row in rows]


def test_withdrawing_a_not_delivered_change_closes_its_resend_task(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=1)
    change = _not_delivered(clinic, clock, "5.5", "first")
    clock.advance(minutes=5)
    assert _resend_rows(clinic) == 1

    clinic.run(
        withdraw_program_change,
        WithdrawProgramChange(
            actor=actor(PHYSICIAN), change_id=change.change_id, reason="dose rethought"
        ),
    )

    assert _resend_rows(clinic) == 0  # gone from the worklist too

    [task] = _tasks_of(clinic, change.change_id)
    done = task.completion
    assert done is not None
    assert done.how is TaskClosure.CHANGE_WITHDRAWN
    assert done.by == PHYSICIAN.id
    assert done.at == clock.now()
    assert _tasks_of(clinic, change.change_id, open_only=True) == []
    [audited] = _task_closures(clinic)
    assert audited["task_id"] == task.id
    assert audited["change_id"] == change.change_id
    assert audited["how"] == "change-withdrawn"
    assert audited["kind"] == "program-resend"


def test_a_pump_leaving_care_closes_the_resend_task_of_the_change_it_withdraws(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=1)
    change = _not_delivered(clinic, clock, "5.5", "first")
    clock.advance(days=1)

    clinic.run_device(
        discontinue_therapy,
        DiscontinueTherapy(
            actor=actor(PHYSICIAN),
            pump_id="pump-1",
            expected_pump_version=_pump_version(clinic),
            kind=DiscontinuationKind.EXPLANT,
            reason="pocket infection",
            withdrawal_plan=PLAN,
            event_id="explant-1",
        ),
    )

    with clinic.uow() as uow:
        after = uow.program_changes.get_change(change.change_id)
    assert after is not None
    assert after.state is ProgramChangeState.WITHDRAWN
    [task] = _tasks_of(clinic, change.change_id)
    assert task.completion is not None
    assert task.completion.how is TaskClosure.CHANGE_WITHDRAWN
    assert [d["change_id"] for d in _task_closures(clinic)] == [change.change_id]


def test_withdrawing_one_change_leaves_another_changes_resend_task_open(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=1)
    first = _not_delivered(clinic, clock, "5.5", "first")
    clock.advance(minutes=5)
    second = _not_delivered(clinic, clock, "6", "second")

    clinic.run(
        withdraw_program_change,
        WithdrawProgramChange(actor=actor(NURSE), change_id=first.change_id, reason="superseded"),
    )

    assert _tasks_of(clinic, first.change_id, open_only=True) == []
    [still_open] = _tasks_of(clinic, second.change_id, open_only=True)
    assert still_open.task.kind is TaskKind.PROGRAM_RESEND
