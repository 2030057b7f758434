"""``/worklist``: what is due, most urgent first (refills, alarms, co-signatures, open tasks).

The read model returns the same (immutable) page object while its cache holds it
(``adapters/read_models/worklist.py``); its JSON is serialized once per page object
(:class:`PageMemo`) — the use case, with its authorization and audit entry, still runs on every
request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.bootstrap import Thecal
from thecal.domain.users import Actor
from thecal.entrypoints.api.deps import SECURITY, authenticate, thecal_of
from thecal.services.worklist import (
    MAX_PAGE,
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

__all__ = ["PageMemo", "WorklistPublic", "WorklistRowPublic", "router", "worklist_page"]

router = APIRouter(prefix="/worklist", tags=["worklist"])
T = TypeVar("T")


class PageMemo(Generic[T]):
    """What was made from a page object (its JSON, its rendered rows), for the last few pages.

    Keyed by the page object's identity and ``extra`` (whatever else the value depends on); the
    page is kept with its value, so an identity is never reused while the entry lives. Pages are
    immutable, so the value stays true to its page.
    """

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._made: OrderedDict[tuple[object, ...], tuple[WorklistPage, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, page: WorklistPage, extra: tuple[object, ...], make: Callable[[WorklistPage], T]
    ) -> T:
        key = (id(page), *extra)
        with self._lock:
            found = self._made.get(key)
            if found is not None and found[0] is page:
                self._made.move_to_end(key)
                return found[1]
        value = make(page)
        with self._lock:
            self._made[key] = (page, value)
            while len(self._made) > self._size:
                self._made.popitem(last=False)
        return value


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
    use_case = partial(
        read_worklist,
        source=SqlWorklistReadModel(thecal.engine, cached=thecal.settings.worklist_cache),
    )
    return thecal.run(use_case, ReadWorklist(actor=actor, query=query))


@router.get(
    "",
    response_model=WorklistPublic,
    summary="The worklist, due first",
    openapi_extra={"security": SECURITY},  # authenticated in the route, see below
)
def read(
    *,
    request: Request,
    kind: WorklistKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    # The route clients poll: it authenticates in its own worker thread (as the web pages do)
    # rather than through the CurrentActor dependency, which FastAPI would run in a second
    # thread hand-off per request. The query's shape is checked first (422), which tells an
    # anonymous caller nothing the public OpenAPI document does not.
    thecal = thecal_of(request)
    actor = authenticate(request, thecal).actor
    page = worklist_page(thecal, actor, kind=kind, limit=limit, offset=offset)
    body = _JSON.get(page, (limit, offset), partial(_json, limit=limit, offset=offset))
    return Response(body, media_type="application/json")


def _json(page: WorklistPage, *, limit: int, offset: int) -> str:
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
    return body.model_dump_json()


_JSON: PageMemo[str] = PageMemo()
