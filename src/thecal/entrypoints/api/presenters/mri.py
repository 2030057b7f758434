"""MRI plans → API documents."""

from __future__ import annotations

from thecal.domain.mri import MriPlan
from thecal.domain.tasks import Task
from thecal.domain.units import plain
from thecal.entrypoints.api.schemas.mri import MriPlanPublic, PlannedTaskPublic

__all__ = [
    "mri_plan_public",
]


def _task_public(task: Task) -> PlannedTaskPublic:
    return PlannedTaskPublic(
        kind=task.kind.value,
        due=task.due,
        not_before=task.not_before,
        reason=task.reason,
        source=task.source,
        priority=task.priority.value,
    )


def mri_plan_public(plan: MriPlan) -> MriPlanPublic:
    return MriPlanPublic(
        id=plan.plan_id,
        patient_id=plan.patient_id,
        pump_model_id=plan.pump.id,
        pump_serial=plan.pump_serial,
        scan_at=plan.scan_at,
        field_strength_t=plain(plan.field_strength_t),
        state=plan.state,
        version=plan.version,
        emptying_required=plan.emptying_required,
        emptied_volume_ml=None if plan.emptied_volume is None else plain(plan.emptied_volume.ml),
        emptied_at=plan.emptied_at,
        scanned_at=plan.scanned_at,
        post_mri_task=None if plan.task is None else _task_public(plan.task),
    )
