"""``/worklist``: what is due, most urgent first (refills, alarms, co-signatures, open tasks).

The read model returns the same (immutable) page object while its cache holds it
(``adapters/read_models/worklist.py``); its JSON is serialized once per page object
(:class:`PageMemo`) — the use case, with its authorization and audit entry, still runs on every
request.

The filters of the worklist page (``window``, ``priority``, ``patient``, ``model``; ``kind`` as
before) are query parameters; a value outside their choices is 422. Without them the answer is
every row, paged by ``limit``/``offset`` in the database; with them the first ``MAX_PAGE`` rows
due are read (the cached page) and filtered (``services/worklist.py`` ``filter_worklist``), then
paged; ``later`` counts the rows that pass the filters but fall due after the window, and
``complete`` is false when the rows read were cut at ``MAX_PAGE``.
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
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.users import Actor
from thecal.entrypoints.api.deps import SECURITY, authenticate, thecal_of
from thecal.services.worklist import (
    MAX_PAGE,
    MAX_PATIENT_TEXT,
    DueWindow,
    ReadWorklist,
    WorklistFilter,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    filter_worklist,
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
    model_id: str | None
    opened: dt.datetime | None


class WorklistPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[WorklistRowPublic]
    limit: int
    offset: int
    next_offset: int | None
    as_of: dt.datetime
    later: int = 0  # rows passing the filters, due after the window
    complete: bool = True  # false: the filtered read was cut at MAX_PAGE rows


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
    window: DueWindow = DueWindow.ALL,
    priority: Annotated[str | None, Query(pattern="^(urgent|routine)$")] = None,
    patient: Annotated[str | None, Query(min_length=1, max_length=MAX_PATIENT_TEXT)] = None,
    model: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,64}$")] = None,
) -> Response:
    # The route clients poll: it authenticates in its own worker thread (as the web pages do)
    # rather than through the CurrentActor dependency, which FastAPI would run in a second
    # thread hand-off per request. The query's shape is checked first (422), which tells an
    # anonymous caller nothing the public OpenAPI document does not.
    thecal = thecal_of(request)
    if model is not None and model not in reference_library().pumps:
        raise ValueOutOfRange(name="pump model", expected="a known pump model id", value=model)
    actor = authenticate(request, thecal).actor
    if window is DueWindow.ALL and priority is None and patient is None and model is None:
        page = worklist_page(thecal, actor, kind=kind, limit=limit, offset=offset)
        body = _JSON.get(page, (limit, offset), partial(_json, limit=limit, offset=offset))
        return Response(body, media_type="application/json")
    wanted = WorklistFilter(window=window, priority=priority, patient=patient, model_id=model)
    page = worklist_page(thecal, actor, kind=kind, limit=MAX_PAGE, offset=0)
    make = partial(_filtered_json, wanted=wanted, limit=limit, offset=offset)
    return Response(_JSON.get(page, (wanted, limit, offset), make), media_type="application/json")


def _filtered_json(page: WorklistPage, *, wanted: WorklistFilter, limit: int, offset: int) -> str:
    found = filter_worklist(page, wanted)
    shown = found.rows[offset : offset + limit]
    more = offset + limit < len(found.rows)
    window = WorklistPage(
        rows=shown, next_offset=offset + limit if more else None, as_of=found.as_of
    )
    return _json(window, limit=limit, offset=offset, later=found.later, complete=found.complete)


def _json(
    page: WorklistPage, *, limit: int, offset: int, later: int = 0, complete: bool = True
) -> str:
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
                model_id=r.model_id,
                opened=r.opened,
            )
            for r in page.rows
        ],
        limit=limit,
        offset=offset,
        next_offset=page.next_offset,
        as_of=page.as_of,
        later=later,
        complete=complete,
    )
    return body.model_dump_json()


_JSON: PageMemo[str] = PageMemo()
