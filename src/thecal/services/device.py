"""Interrogation: read the pump, store its device events and patient-bolus log, and resolve every
program change sent to it (confirmed, not delivered, or failed — ``domain/program_change.py``).

This is the only way a send is confirmed (SR-16, architecture.md §4): an uncertain send stays
``sent`` until an interrogation shows which program the pump runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChange, ProgramChangeState, diff, program_parameters
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.program_changes import store_new_tasks
from thecal.services.pump_care import INTERROGABLE, require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import PumpSnapshot
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.pump_reservoir import read_reservoir, refresh_refill_due, reservoir_gap_tasks
from thecal.services.repositories.device_log import LoggedDeviceEvent, LoggedPatientBolus
from thecal.services.scheduling.planning import replan_visits
from thecal.services.tasks import close_by_interrogation
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "InterrogatePump",
    "Interrogation",
    "interrogate_pump",
    "program_mismatch_tasks",
    "record_snapshot",
]

#: The source behind the finding: a pump's program is known only by interrogation.
_MISMATCH_SOURCE = "architecture.md §4, SR-16"


@dataclass(frozen=True, slots=True, kw_only=True)
class InterrogatePump:
    actor: Actor
    pump_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Interrogation:
    pump: Pump
    snapshot: PumpSnapshot
    resolved: tuple[ProgramChange, ...]  # sent changes this interrogation settled


def interrogate_pump(
    cmd: InterrogatePump, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> Interrogation:
    """Interrogate a pump, log what it reports and settle its sent program changes.

    Raises:
        AccessDenied; PumpNotFound; TelemetryFailure (THC-DEV-*: nothing is stored).
    """
    authorize_function(cmd.actor, Action.PUMP_INTERROGATE)
    now = clock.now()
    with uow:
        pump = uow.pumps.get_for_update(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PUMP_INTERROGATE, subject)
        require_in_care(pump, "an interrogation", allowed=INTERROGABLE)
        snapshot = driver.interrogate(pump.serial)
        resolved, task_ids = record_snapshot(uow, pump, snapshot, actor=cmd.actor, at=now)
        pump.touch()
        uow.pumps.update(pump)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_INTERROGATE,
            subject=subject,
            at=now,
            details={
                "pump_id": pump.id,
                "reservoir_estimate_ml": str(snapshot.reservoir_estimate.ml),
                "alarms": [code for code, _ in snapshot.alarms],
                "events": len(snapshot.events),
                "patient_boluses": len(snapshot.patient_boluses),
                "resolved": {c.change_id: c.state.value for c in resolved},
                "tasks": task_ids,
            },
        )
        replan_visits(uow, pump.patient_id)  # the visits its facts ask for
        uow.commit()
    return Interrogation(pump=pump, snapshot=snapshot, resolved=tuple(resolved))


def record_snapshot(
    uow: AbstractUnitOfWork, pump: Pump, snapshot: PumpSnapshot, *, actor: Actor, at: dt.datetime
) -> tuple[list[ProgramChange], list[str]]:
    """Store an interrogation's events and bolus log; settle the pump's sent program changes.

    Every interrogation goes through here (a plain interrogation and the one that opens a
    refill), because the pump hands each event over only once.
    Returns the settled changes and the ids of the tasks they created.
    """
    now = at
    uow.device_log.add_events(
        [
            LoggedDeviceEvent(
                pump_id=pump.id,
                at=e.at,
                code=e.code,
                detail=e.detail,
                priority=e.priority,
                interrogated_at=snapshot.at,
            )
            for e in snapshot.events
        ]
    )
    uow.device_log.add_boluses(
        [
            LoggedPatientBolus(
                pump_id=pump.id,
                at=b.at,
                granted=b.granted,
                reason=b.reason,
                uncertain=b.uncertain,
                source="interrogation",
            )
            for b in snapshot.patient_boluses
        ]
    )
    # the record's estimate at this count: the programs since the anchor and every bolus logged,
    # the pump's own log of this interrogation included (what is left is unexplained)
    reading = read_reservoir(uow, pump, pump_count=snapshot.reservoir_estimate, at=now)
    resolved: list[ProgramChange] = []
    task_ids: list[str] = []
    expected = [span.program for span in pump.sent_programs]  # written since the last reading
    if snapshot.program is not None:
        for change in uow.program_changes.in_flight(pump.id):
            before = len(change.tasks)
            state = change.record_interrogation(
                actor=actor, program_on_pump=snapshot.program, at=now
            )
            if state is ProgramChangeState.CONFIRMED:
                pump.record_program(change.new_program, at=now, effective_from=change.sent_at)
            task_ids += store_new_tasks(uow, change.tasks, before=before, at=now)
            uow.program_changes.update(change)
            resolved.append(change)
        failed = any(c.state is ProgramChangeState.FAILED for c in resolved)  # has its own task
        if not failed and not _open_mismatch(uow, pump):
            task_ids += store_new_tasks(
                uow,
                program_mismatch_tasks(pump, snapshot.program, expected=expected, at=now),
                before=0,
                at=now,
            )
    pump.record_reading(reading)  # re-anchored to the pump's count; every send settled
    refresh_refill_due(pump)
    task_ids += store_new_tasks(uow, reservoir_gap_tasks(pump, reading), before=0, at=now)
    close_by_interrogation(uow, pump, snapshot, actor=actor, at=now)  # post-MRI tasks, audited
    return resolved, task_ids


def _open_mismatch(uow: AbstractUnitOfWork, pump: Pump) -> bool:
    """An open program-mismatch task for this pump already asks for the review."""
    return any(
        stored.task.kind is TaskKind.PROGRAM_MISMATCH and stored.task.origin == pump.id
        for stored in uow.tasks.for_patient(pump.patient_id, open_only=True)
    )


def program_mismatch_tasks(
    pump: Pump,
    reported: InfusionProgram,
    *,
    expected: list[InfusionProgram],
    at: dt.datetime,
) -> list[Task]:
    """An urgent finding when the pump runs a program the record does not explain.

    The record explains the program the pump reports when it is the confirmed program
    (``pump.program``, after this interrogation's confirmations) or one written to the pump since
    the last reading (``expected``: a suspension's stop, a restart). Anything else — the pump
    programmed outside thecal, a memory reset after a fault, a vendor programmer's change — means
    the doses, the refill date and every forecast on the record are wrong: the finding names each
    parameter that differs, the record's value beside the pump's. The record is not overwritten.
    """
    on_pump = program_parameters(reported)
    if any(on_pump == program_parameters(p) for p in (pump.program, *expected)):
        return []
    differences = "; ".join(
        f"{entry.parameter}: record {entry.old}, pump {entry.new}"
        for entry in diff(pump.program, reported).changes
    )
    return [
        Task(
            kind=TaskKind.PROGRAM_MISMATCH,
            subject=pump.patient_id,
            origin=pump.id,
            due=at,
            reason=(
                "the pump runs a program that differs from the record and no change sent from "
                f"here explains it ({differences}); check the pump, then bring the record and the "
                "pump together with a signed, co-signed program change"
            ),
            source=_MISMATCH_SOURCE,
            priority=TaskPriority.URGENT,
        )
    ]
