"""Rows ↔ the ``MriPlan`` aggregate (``tables/mri.py``), rebuilt blank from the row as stored;
emptied volumes in mL, field strength in tesla.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    canonical_json,
)
from thecal.adapters.sql.mappers.tasks import task_from_dict, task_to_dict
from thecal.adapters.sql.mappers.transitions import (
    history_from_json,
    history_json,
)
from thecal.domain.library import reference_library
from thecal.domain.mri import MriPlan, MriState
from thecal.domain.units import Volume

__all__ = [
    "mri_from_row",
    "mri_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def mri_to_row(plan: MriPlan, *, pump_id: str, task_id: str | None) -> dict[str, Any]:
    return {
        "id": plan.plan_id,
        "patient_id": plan.patient_id,
        "pump_id": pump_id,
        "pump_model_id": plan.pump.id,
        "pump_serial": plan.pump_serial,
        "scan_at": plan.scan_at,
        "field_strength_t": plan.field_strength_t,
        "state": plan.state.value,
        "emptied_volume_ml": None if plan.emptied_volume is None else plan.emptied_volume.value,
        "emptied_at": plan.emptied_at,
        "scanned_at": plan.scanned_at,
        "task_id": task_id,
        "task_json": None if plan.task is None else canonical_json(task_to_dict(plan.task)),
        "history_json": history_json(plan.history),
        "version": plan.version,
    }


def mri_from_row(row: Row) -> MriPlan:
    plan = MriPlan.__new__(MriPlan)
    plan.plan_id, plan.patient_id = row["id"], row["patient_id"]
    plan.pump = reference_library().pump(row["pump_model_id"])
    plan.pump_serial = row["pump_serial"]
    plan.scan_at = row["scan_at"]
    plan.field_strength_t = Decimal(row["field_strength_t"])
    plan.state = MriState(row["state"])
    plan.version = int(row["version"])
    emptied = row["emptied_volume_ml"]
    plan.emptied_volume = None if emptied is None else Volume(Decimal(emptied))
    plan.emptied_at = row["emptied_at"]
    plan.scanned_at = row["scanned_at"]
    plan.task = None if row["task_json"] is None else task_from_dict(json.loads(row["task_json"]))
    plan.history = history_from_json(row["history_json"])
    return plan
