"""MRI with an implanted pump: plan → (empty the pump, where the model requires it) → clear → scan,
with the post-MRI interrogation task on the worklist (``domain/mri.py``, safety.md SR-15).

* plan: a clinician plans a scan for a pump (time, field strength);
* emptying: the residual is withdrawn **through the pump driver** and the measured volume recorded
  (a valve-gated "empty before MRI" pump — Prometra, Prometra II — can dump its reservoir in the
  field, S58, S59). The pump row is locked first, like every writer of a pump;
* clear: a physician clears the patient; a pump that must be emptied and was not is refused
  (``MriEmptyingMissing``, THC-PATH-051); so is a field above the clinic's maximum
  (``MriFieldNotCleared``, THC-PATH-052). Clearance stores the post-MRI interrogation task;
* scan: recording the actual scan time re-dates the task (the clearance task is closed and the
  re-dated one stored), so the worklist shows it due within the model's recovery time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.date_plausibility import PLANNED_SCAN, check_instant
from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.mri import DEFAULT_MAX_FIELD_T, MriPlan, MriState, MriStateError
from thecal.domain.tasks import Task, TaskClosure
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_record import PumpNotFound
from thecal.services.repositories.tasks import StoredTask, TaskState
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ClearMri",
    "EmptyPumpForMri",
    "GetMriPlan",
    "MriPlanNotFound",
    "PlanMri",
    "RecordMriScan",
    "clear_mri",
    "empty_pump_for_mri",
    "get_mri_plan",
    "plan_mri",
    "record_mri_scan",
]


class MriPlanNotFound(NotFound):
    code = "THC-MRI-001"
    template = "MRI plan {ident} not found"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanMri:
    actor: Actor
    pump_id: str
    scan_at: dt.datetime
    field_strength_t: Decimal
    plan_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class EmptyPumpForMri:
    actor: Actor
    plan_id: str
    expected_pump_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearMri:
    actor: Actor
    plan_id: str
    max_field_t: Decimal = DEFAULT_MAX_FIELD_T  # S55, S56, S59: 1.5 T


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMriScan:
    actor: Actor
    plan_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMriPlan:
    actor: Actor
    plan_id: str


def _summary(plan: MriPlan) -> dict[str, object]:
    return {
        "plan_id": plan.plan_id,
        "state": plan.state.value,
        "version": plan.version,
        "pump_model": plan.pump.id,
        "serial": plan.pump_serial,
        "scan_at": plan.scan_at.isoformat(),
        "field_strength_t": str(plan.field_strength_t),
        "emptying_required": plan.emptying_required,
    }


def _load(uow: AbstractUnitOfWork, actor: Actor, action: Action, plan_id: str) -> MriPlan:
    plan = uow.mri_plans.get_plan(plan_id)
    if plan is None:
        raise MriPlanNotFound(ident=plan_id)
    authorize(actor, action, Subject.patient(plan.patient_id))
    return plan


def _store_task(uow: AbstractUnitOfWork, plan: MriPlan, task: Task, at: dt.datetime) -> str:
    """Store ``task`` as the plan's post-MRI task, closing the one it replaces."""
    previous = uow.mri_plans.task_of(plan.plan_id)
    if previous is not None:
        stored = uow.tasks.get(previous)
        if stored is not None and stored.state is TaskState.OPEN:
            stored.complete(user_id="system:mri-task-redated", at=at, how=TaskClosure.SUPERSEDED)
            uow.tasks.update(stored)
    fresh = StoredTask(id=str(uuid.uuid4()), task=task, created_at=at)
    uow.tasks.add(fresh)
    uow.mri_plans.set_task(plan.plan_id, fresh.id)
    return fresh.id


def plan_mri(cmd: PlanMri, *, uow: AbstractUnitOfWork, clock: Clock) -> MriPlan:
    """Plan an MRI for the patient with this pump.

    Raises:
        AccessDenied; PumpNotFound; ValueOutOfRange (field strength, scan time).
    """
    authorize_function(cmd.actor, Action.MRI_PLAN)
    now = clock.now()
    if cmd.scan_at < now:
        raise RequestInvalid(where="scan time", detail=f"{cmd.scan_at.isoformat()} is past")
    check_instant("scan time", cmd.scan_at, PLANNED_SCAN, now=now)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.MRI_PLAN, subject)
        plan = MriPlan(
            plan_id=cmd.plan_id or str(uuid.uuid4()),
            patient_id=pump.patient_id,
            pump=reference_library().pump(pump.model_id),
            pump_serial=pump.serial,
            scan_at=cmd.scan_at,
            field_strength_t=cmd.field_strength_t,
            planned_by=cmd.actor,
            planned_at=now,
        )
        uow.mri_plans.add_for_pump(plan, pump_id=pump.id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.MRI_PLAN,
            subject=subject,
            at=now,
            details={"pump_id": pump.id, **_summary(plan)},
        )
        uow.commit()
    return plan


def empty_pump_for_mri(
    cmd: EmptyPumpForMri, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> MriPlan:
    """Withdraw the reservoir through the driver and record the measured volume before the scan.

    Raises:
        MriStateError (not planned); StalePumpVersion; DeviceError.
    """
    authorize_function(cmd.actor, Action.MRI_EMPTY)
    now = clock.now()
    with uow:
        pump_id = uow.mri_plans.pump_of(cmd.plan_id)
        if pump_id is None:
            raise MriPlanNotFound(ident=cmd.plan_id)
        pump = uow.pumps.get_for_update(pump_id)  # lock first: one writer per pump
        if pump is None:
            raise PumpNotFound(ident=pump_id)
        plan = _load(uow, cmd.actor, Action.MRI_EMPTY, cmd.plan_id)
        pump.check_version(cmd.expected_pump_version)
        # every check that can refuse without the pump comes before the device command
        if plan.state is not MriState.PLANNED:
            raise MriStateError(
                kind="MRI plan",
                ident=plan.plan_id,
                state=plan.state.value,
                action="record the pump emptying",
                allowed=MriState.PLANNED.value,
            )
        if now > plan.scan_at:
            raise RequestInvalid(
                where="emptying time", detail=f"after the scan at {plan.scan_at.isoformat()}"
            )
        measured = driver.withdraw_residual(pump.serial).measured
        plan.record_emptying(
            actor=cmd.actor, at=now, volume_withdrawn=min(measured, plan.pump.reservoir.value)
        )
        pump.record_emptied(at=now)  # the next refill expects no residual
        uow.pumps.update(pump)
        uow.mri_plans.update(plan)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.MRI_EMPTY,
            subject=Subject.patient(plan.patient_id),
            at=now,
            details={
                **_summary(plan),
                "pump_id": pump.id,
                "withdrawn_ml": str(plan.emptied_volume.ml) if plan.emptied_volume else None,
            },
        )
        replan_visits(uow, plan.patient_id)  # the visits its facts ask for
        uow.commit()
    return plan


def clear_mri(cmd: ClearMri, *, uow: AbstractUnitOfWork, clock: Clock) -> MriPlan:
    """Clear the patient for the scan (physician); stores the post-MRI interrogation task.

    Raises:
        MriEmptyingMissing (THC-PATH-051, SR-15); MriFieldNotCleared (THC-PATH-052).
    """
    authorize_function(cmd.actor, Action.MRI_CLEAR)
    now = clock.now()
    with uow:
        plan = _load(uow, cmd.actor, Action.MRI_CLEAR, cmd.plan_id)
        task = plan.clear(actor=cmd.actor, at=now, max_field_t=cmd.max_field_t)
        task_id = _store_task(uow, plan, task, now)
        uow.mri_plans.update(plan)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.MRI_CLEAR,
            subject=Subject.patient(plan.patient_id),
            at=now,
            details={
                **_summary(plan),
                "max_field_t": str(cmd.max_field_t),
                "task_id": task_id,
                "task_due": task.due.isoformat(),
            },
        )
        replan_visits(uow, plan.patient_id)  # the visits its facts ask for
        uow.commit()
    return plan


def record_mri_scan(cmd: RecordMriScan, *, uow: AbstractUnitOfWork, clock: Clock) -> MriPlan:
    """Record that the scan happened now; the post-MRI task is re-dated from it."""
    authorize_function(cmd.actor, Action.MRI_SCAN)
    now = clock.now()
    with uow:
        plan = _load(uow, cmd.actor, Action.MRI_SCAN, cmd.plan_id)
        task = plan.record_scan(actor=cmd.actor, at=now)
        task_id = _store_task(uow, plan, task, now)
        uow.mri_plans.update(plan)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.MRI_SCAN,
            subject=Subject.patient(plan.patient_id),
            at=now,
            details={**_summary(plan), "task_id": task_id, "task_due": task.due.isoformat()},
        )
        replan_visits(uow, plan.patient_id)  # the visits its facts ask for
        uow.commit()
    return plan


def get_mri_plan(cmd: GetMriPlan, *, uow: AbstractUnitOfWork, clock: Clock) -> MriPlan:
    """One MRI plan (an audited PHI read)."""
    authorize_function(cmd.actor, Action.MRI_READ)
    with uow:
        plan = _load(uow, cmd.actor, Action.MRI_READ, cmd.plan_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.MRI_READ,
            subject=Subject.patient(plan.patient_id),
            at=clock.now(),
            details={"plan_id": plan.plan_id, "version": plan.version},
        )
        uow.commit()
    return plan
