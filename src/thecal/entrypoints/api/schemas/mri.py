"""MRI plans: the scan, the reservoir emptied first, and the post-MRI interrogation task."""

from __future__ import annotations

import datetime as dt

from pydantic import (
    Field,
)

from thecal.domain.mri import MriState
from thecal.entrypoints.api.schemas.fields import (
    DecimalText,
    In,
    IsoInstant,
    Out,
    Whole,
)

__all__ = [
    "MriEmptying",
    "MriPlanCreate",
    "MriPlanPublic",
    "PlannedTaskPublic",
]


class MriPlanCreate(In):
    scan_at: IsoInstant
    field_strength_t: DecimalText = Field(examples=["1.5"])


class MriEmptying(In):
    expected_pump_version: Whole = Field(
        ge=1, le=1_000_000, description="The pump version you read."
    )


class PlannedTaskPublic(Out):
    kind: str
    due: dt.datetime
    not_before: dt.datetime | None
    reason: str
    source: str
    priority: str


class MriPlanPublic(Out):
    id: str
    patient_id: str
    pump_model_id: str
    pump_serial: str
    scan_at: dt.datetime
    field_strength_t: str
    state: MriState
    version: int
    emptying_required: bool
    emptied_volume_ml: str | None
    emptied_at: dt.datetime | None
    scanned_at: dt.datetime | None
    post_mri_task: PlannedTaskPublic | None
