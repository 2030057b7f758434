"""``/worklist``: what is due, most urgent first (refills, alarms, co-signatures, open tasks)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.bootstrap import Thecal
from thecal.domain.users import Actor
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.services.worklist import (
    MAX_PAGE,
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

__all__ = ["WorklistPublic", "WorklistRowPublic", "router", "worklist_page"]

router = APIRouter(prefix="/worklist", tags=["worklist"])


class WorklistRowPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WorklistKind
    due: dt.datetime
    priority: str
    patient_id: str
    mrn: str
    patient_name: str
    pump_id: str | None
    serial: str | None
    record_id: str
    detail: str


class WorklistPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[WorklistRowPublic]
    limit: int
    offset: int
    next_offset: int | None
    as_of: dt.datetime


def worklist_page(
    thecal: Thecal, actor: Actor, *, kind: WorklistKind | None, limit: int, offset: int
) -> WorklistPage:
    """Run the worklist use case over the SQL read model."""
    query = WorklistQuery(kinds=frozenset({kind}) if kind else None, limit=limit, offset=offset)
    use_case = partial(read_worklist, source=SqlWorklistReadModel(thecal.engine))
    return thecal.run(use_case, ReadWorklist(actor=actor, query=query))


@router.get("", response_model=WorklistPublic, summary="The worklist, due first")
def read(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    kind: WorklistKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    page = worklist_page(thecal, actor, kind=kind, limit=limit, offset=offset)
    # built and validated once, serialized by pydantic: returning the model would have FastAPI
    # dump it, validate the dump against response_model again and serialize it (the schema in
    # OpenAPI is still WorklistPublic)
    body = WorklistPublic(
        items=[
            WorklistRowPublic(
                kind=r.kind,
                due=r.due,
                priority=r.priority,
                patient_id=r.patient_id,
                mrn=r.mrn,
                patient_name=r.patient_name,
                pump_id=r.pump_id,
                serial=r.serial,
                record_id=r.record_id,
                detail=r.detail,
            )
            for r in page.rows
        ],
        limit=limit,
        offset=offset,
        next_offset=page.next_offset,
        as_of=page.as_of,
    )
    return Response(body.model_dump_json(), media_type="application/json")
