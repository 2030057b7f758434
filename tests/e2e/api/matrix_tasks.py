"""Authorization-matrix part for the task endpoints (see matrix_parts).

Physicians and nurses list tasks and mark them done; pharmacists, admins and patients (even for
their own record) may do neither. A task closes once, so every completion request closes a task
made for it: a fresh post-MRI task (an MRI planned and cleared for the patient's pump) whose id
replaces ``ids["task_id"][kind]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from api_support import Clinic
from matrix_parts import MatrixPart

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.mri import ClearMri, PlanMri, clear_mri, plan_mri
from thecal.services.pumps import ImplantPump, implant_pump

__all__ = ["PART", "new_post_mri_task"]


def _physician(clinic: Clinic) -> Actor:
    return Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _pump_of(clinic: Clinic, patient_id: str, serial: str) -> str:
    """The patient's pump; a SynchroMed II is implanted when the patient has none yet."""
    with clinic.thecal.uow() as uow:
        pumps = list(uow.pumps.for_patient(patient_id))
    if pumps:
        return str(pumps[0].id)
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=_physician(clinic),
            patient_id=patient_id,
            pump_model_id="synchromed-ii-20",
            pump_serial=serial,
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=morphine,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(
                morphine, DoseRate.from_mg_per_day(Decimal(5))
            ),
        ),
    )
    return str(result.pump.id)


def new_post_mri_task(clinic: Clinic, patient_id: str, serial: str) -> str:
    """A fresh open post-MRI task for the patient's pump."""
    plan = clinic.thecal.run(
        plan_mri,
        PlanMri(
            actor=_physician(clinic),
            pump_id=_pump_of(clinic, patient_id, serial),
            scan_at=clinic.clock.now() + dt.timedelta(days=1),
            field_strength_t=Decimal("1.5"),
        ),
    )
    clinic.thecal.run(clear_mri, ClearMri(actor=_physician(clinic), plan_id=plan.plan_id))
    with clinic.thecal.uow() as uow:
        task_id = uow.mri_plans.task_of(plan.plan_id)
    assert task_id is not None
    return task_id


def _patient(clinic: Clinic, kind: str) -> tuple[str, str]:
    if kind == "own":
        return clinic.own_patient, "NGP-TASKS-OWN"
    return clinic.foreign_patient, "NGP-TASKS-FOREIGN"


def _prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    return {
        "task_id": {
            kind: new_post_mri_task(clinic, *_patient(clinic, kind)) for kind in ("own", "foreign")
        }
    }


def _complete(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    task_id = new_post_mri_task(world.clinic, *_patient(world.clinic, kind))
    world.ids["task_id"][kind] = task_id  # the coverage test templates the latest id
    body = {"expected_version": 1, "note": "matrix"}
    return "POST", f"/api/v1/tasks/{task_id}/completion", body


_CLINICIAN = {"task.list": "any", "task.complete": "any"}

PART = MatrixPart(
    endpoints={
        "task.list": ("collection", lambda _w, _k: ("GET", "/api/v1/tasks", None)),
        "task.complete": ("object", _complete),
    },
    expected={"physician": _CLINICIAN, "nurse": _CLINICIAN},
    prepare=_prepare,
)
