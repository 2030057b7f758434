"""Procedure records (the procedures outcome reports are made from)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.domain.procedure import MAX_INDICATION_LENGTH, ProcedureKind
from thecal.entrypoints.api.schemas.fields import (
    In,
    IsoDate,
    Out,
    RecordId,
    text_rule,
)

__all__ = [
    "ProcedureCreate",
    "ProcedurePublic",
    "ProceduresPublic",
]


class ProcedureCreate(In):
    kind: ProcedureKind
    performed_on: IsoDate
    indication: Annotated[str, text_rule(MAX_INDICATION_LENGTH, 1)] = Field(examples=["L-RAD"])
    performer_id: RecordId | None = Field(default=None, description="Default: you.")
    source_record_id: RecordId | None = None
    notes: Annotated[str, text_rule(2000)] = ""


class ProcedurePublic(Out):
    id: str
    patient_id: str
    kind: ProcedureKind
    performed_on: dt.date
    indication: str
    performer_id: str
    recorded_by: str
    recorded_at: dt.datetime
    source_record_id: str | None
    notes: str
    version: int


class ProceduresPublic(Out):
    items: list[ProcedurePublic]
    limit: int
    offset: int
    total: int
