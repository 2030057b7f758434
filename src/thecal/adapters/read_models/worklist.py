"""The worklist as SQL: one ``UNION ALL`` of indexed branches, ordered by due date, one page.

Every branch is ``SELECT … WHERE state = :s AND <date> < :before ORDER BY <date>`` over a
composite ``(state, date)`` index (``adapters/sql/tables/``), so the ``ORDER BY due LIMIT n``
over the union is a merge of index scans (SQLite's ordered compound select, PostgreSQL's Merge
Append) that reads about ``n`` rows per branch, whatever the number of pumps. Patients and pumps are joined to the page only. Python only maps the page's rows.

The statement depends only on the kinds asked for and on whether there is a ``due before`` bound:
it is built once per such shape (:func:`_statement`, a small LRU cache) with bound parameters
``now``, ``before``, ``page_limit`` and ``page_offset``, so a request binds values and SQLAlchemy's
compiled cache does the rest. It runs on a read-only connection (``READ_ONLY``: a deferred
``BEGIN`` on SQLite, no writer lock).

**As of the minute, and cached.** A page is computed as of the start of the current minute
(``now`` truncated to the minute; ``WorklistPage.as_of`` says so), so every request in the same
minute asks the same question. Each request first reads the clinical generation (one single-row
SELECT on a raw pooled connection, ``adapters/sql/clinical_generation.py``); a page is cached per
(generation, minute, kinds, due before, limit, offset) in a small LRU per engine
(:class:`WorklistCache`). Any clinical write, from any process, and any change of the clinic
clock bump the generation, so the next request misses and reads the database again; a new minute
misses too. The generation is read before the rows: what is filed under a generation is at least
as new as it. The cache holds no user's data: authorization and the read's audit entry stay in
the service (``services/worklist.py``), on every request, hit or miss.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Engine,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)

from thecal.adapters.sql.clinical_generation import read_generation
from thecal.adapters.sql.database import READ_ONLY
from thecal.adapters.sql.tables.device_log import device_events
from thecal.adapters.sql.tables.patients import patients
from thecal.adapters.sql.tables.program_changes import program_changes
from thecal.adapters.sql.tables.pumps import pumps
from thecal.adapters.sql.tables.tasks import tasks
from thecal.adapters.sql.tables.trials import trials
from thecal.adapters.sql.tables.visit_needs import visit_needs
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.scheduling import NeedState
from thecal.domain.trial import TrialState
from thecal.services.pump_record import PumpState
from thecal.services.repositories.tasks import TaskState
from thecal.services.worklist import (
    TASK_KINDS,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    WorklistRow,
    WorklistSource,
)

__all__ = ["CACHED_PAGES", "SqlWorklistReadModel", "WorklistCache"]

_K = WorklistKind
_DETAIL = {
    _K.REFILL_OVERDUE: "refill overdue",
    _K.REFILL_DUE: "refill due",
    _K.LOW_RESERVOIR: "projected low-reservoir alarm (worst-case flow, S66)",
    _K.STABILITY_EXPIRY: "admixture stability in the pump ends",
    _K.ELECTIVE_REPLACEMENT: "elective replacement indicator (projected from service life, S50)",
    _K.END_OF_SERVICE: "end of service (projected from service life, S50)",
    _K.TRIAL_DECISION: "trial discharged: awaiting the physician's decision",
    _K.PROGRAM_COSIGN: "program change signed: awaiting co-signature (SR-02)",
}
_TASK_PREFIX = "task:"
_URGENT = frozenset({_K.REFILL_OVERDUE, _K.END_OF_SERVICE})


def _branch(
    kind: Any,
    due: Any,
    *,
    patient: Any,
    pump: Any,
    record: Any,
    detail: Any,
    priority: Any,
    where: list[Any],
    due_before: BindParameter[Any] | None,
    opened: Any = None,
) -> Select[Any]:
    conditions = [*where, due.is_not(None)]
    if due_before is not None:
        conditions.append(due < due_before)
    return select(
        kind.label("kind"),
        due.label("due"),
        patient.label("patient_id"),
        pump.label("pump_id"),
        record.label("record_id"),
        detail.label("detail"),
        priority.label("priority"),
        (cast(null(), tasks.c.created_at.type) if opened is None else opened).label("opened"),
    ).where(*conditions)


def _kind_literal(kind: WorklistKind) -> Any:
    return literal(kind.value, String(40))


_NOW = bindparam("now", type_=pumps.c.next_refill_due.type)
_BEFORE = bindparam("before", type_=pumps.c.next_refill_due.type)
_LIMIT = bindparam("page_limit", type_=Integer())
_OFFSET = bindparam("page_offset", type_=Integer())


def _branches(kinds: frozenset[WorklistKind] | None, *, bounded: bool) -> list[Select[Any]]:
    """The union's branches for these kinds (None: all); ``bounded``: rows due before ``before``."""
    query = WorklistQuery(kinds=kinds)
    now = _NOW
    before = _BEFORE if bounded else None
    none = cast(null(), String(200))
    out: list[Select[Any]] = []

    def pump_branch(kind: WorklistKind, column: Any, *extra: Any) -> None:
        if query.wants(kind):
            out.append(
                _branch(
                    _kind_literal(kind),
                    column,
                    patient=pumps.c.patient_id,
                    pump=pumps.c.id,
                    record=pumps.c.id,
                    detail=none,
                    priority=none,
                    where=[pumps.c.state == PumpState.ACTIVE.value, *extra],
                    due_before=before,
                )
            )

    pump_branch(_K.REFILL_OVERDUE, pumps.c.next_refill_due, pumps.c.next_refill_due < now)
    pump_branch(_K.REFILL_DUE, pumps.c.next_refill_due, pumps.c.next_refill_due >= now)
    pump_branch(_K.LOW_RESERVOIR, pumps.c.low_reservoir_alarm_at)
    pump_branch(_K.STABILITY_EXPIRY, pumps.c.stability_expires_at)
    pump_branch(_K.ELECTIVE_REPLACEMENT, pumps.c.eri_at)
    pump_branch(_K.END_OF_SERVICE, pumps.c.end_of_service_at)

    def event_branch(kind: WorklistKind) -> None:
        if query.wants(kind):  # reported by an interrogation (device event code = kind)
            out.append(
                _branch(
                    _kind_literal(kind),
                    device_events.c.at,
                    patient=select(pumps.c.patient_id)
                    .where(pumps.c.id == device_events.c.pump_id)
                    .scalar_subquery(),
                    pump=device_events.c.pump_id,
                    record=device_events.c.pump_id,
                    detail=literal(f"{kind.value} reported by the pump: ", String(200))
                    + device_events.c.detail,
                    priority=literal("urgent", String(200)),
                    where=[
                        device_events.c.code == kind.value,
                        # a pump out of care (explanted, transferred, discontinued) is no task
                        select(pumps.c.state)
                        .where(pumps.c.id == device_events.c.pump_id)
                        .scalar_subquery()
                        == PumpState.ACTIVE.value,
                    ],
                    due_before=before,
                )
            )

    event_branch(_K.ELECTIVE_REPLACEMENT)
    event_branch(_K.END_OF_SERVICE)
    if query.wants(_K.TRIAL_DECISION):
        out.append(
            _branch(
                _kind_literal(_K.TRIAL_DECISION),
                trials.c.discharged_at,
                patient=trials.c.patient_id,
                pump=none,
                record=trials.c.id,
                detail=none,
                priority=none,
                where=[trials.c.state == TrialState.DISCHARGED.value],
                due_before=before,
            )
        )
    if query.wants(_K.PROGRAM_COSIGN):
        out.append(
            _branch(
                _kind_literal(_K.PROGRAM_COSIGN),
                program_changes.c.proposed_at,
                patient=program_changes.c.patient_id,
                pump=program_changes.c.pump_id,
                record=program_changes.c.id,
                detail=none,
                priority=none,
                where=[program_changes.c.state == ProgramChangeState.SIGNED.value],
                due_before=before,
            )
        )
    if query.wants(_K.VISIT_TO_BOOK):  # open needs whose window has not closed, by its last day
        out.append(
            _branch(
                _kind_literal(_K.VISIT_TO_BOOK),
                visit_needs.c.latest,
                patient=visit_needs.c.patient_id,
                pump=none,
                record=visit_needs.c.id,
                detail=literal("book a ", String(200))
                + visit_needs.c.visit_type
                + literal(": ", String(200))
                + visit_needs.c.reason,
                priority=none,
                where=[visit_needs.c.state == NeedState.OPEN.value, visit_needs.c.latest >= now],
                due_before=before,
            )
        )
    wanted = [task.value for task, kind in TASK_KINDS.items() if query.wants(kind)]
    if wanted:
        out.append(
            _branch(
                literal(_TASK_PREFIX, String(40)) + tasks.c.kind,
                tasks.c.due,
                patient=tasks.c.patient_id,
                pump=none,
                record=tasks.c.id,
                detail=tasks.c.reason,
                priority=tasks.c.priority,
                where=[tasks.c.state == TaskState.OPEN.value, tasks.c.kind.in_(wanted)],
                due_before=before,
                opened=tasks.c.created_at,
            )
        )
    return out


#: stored kind → worklist kind (a task row's kind is ``task:<task kind>``)
_KIND_OF: dict[str, WorklistKind] = {kind.value: kind for kind in WorklistKind} | {
    _TASK_PREFIX + task.value: kind for task, kind in TASK_KINDS.items()
}


@lru_cache(maxsize=64)
def _statement(
    kinds: frozenset[WorklistKind] | None, *, bounded: bool, scoped: bool = False
) -> Select[Any] | None:
    """The page statement for this shape of query (None: no kind asked for has a branch);
    ``scoped``: only the patients bound to ``within`` (a clinician's care-team reach)."""
    branches = _branches(kinds, bounded=bounded)
    if not branches:
        return None
    if scoped:
        rows = union_all(*branches).subquery("rows")
        page = (
            select(rows)
            .where(rows.c.patient_id.in_(bindparam("within", expanding=True)))
            .order_by(rows.c.due, rows.c.kind, rows.c.record_id)
            .limit(_LIMIT)
            .offset(_OFFSET)
            .subquery("page")
        )
    else:
        union = union_all(*branches).order_by("due", "kind", "record_id")
        page = union.limit(_LIMIT).offset(_OFFSET).subquery("page")
    return (
        select(
            page,
            patients.c.mrn,
            patients.c.family_name,
            patients.c.given_names,
            pumps.c.serial,
            pumps.c.model_id,
        )
        .join(patients, patients.c.id == page.c.patient_id)
        .outerjoin(pumps, pumps.c.id == page.c.pump_id)
        .order_by(page.c.due, page.c.kind, page.c.record_id)
    )


#: pages kept per engine (query shapes in use × the current generation and minute)
CACHED_PAGES = 32
_Key = tuple[Any, ...]


class WorklistCache:
    """A small LRU of pages keyed by (generation, minute, query shape); thread-safe."""

    def __init__(self, size: int = CACHED_PAGES) -> None:
        self._size = size
        self._pages: OrderedDict[_Key, WorklistPage] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0  # pages read from the database (for tests and measurements)

    def get(self, key: _Key) -> WorklistPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: _Key, page: WorklistPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)


_CACHES: weakref.WeakKeyDictionary[Engine, WorklistCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache_of(engine: Engine) -> WorklistCache:
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = WorklistCache()
        return cache


def _minute(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


class SqlWorklistReadModel(WorklistSource):
    """The worklist over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, cached: bool = True) -> None:
        self._engine = engine
        # shared by every read model over this engine; uncached (benchmarks): one that holds none
        self.cache = _cache_of(engine) if cached else WorklistCache(size=0)

    def page(self, query: WorklistQuery, *, now: dt.datetime) -> WorklistPage:
        """The page as of the start of ``now``'s minute (cached until a clinical change)."""
        as_of = _minute(now)
        statement = _statement(
            query.kinds, bounded=query.due_before is not None, scoped=query.within is not None
        )
        if statement is None or (query.within is not None and not query.within):
            return WorklistPage(rows=(), next_offset=None, as_of=as_of)
        generation = read_generation(self._engine)  # first: what follows is at least as new
        key = (
            generation,
            as_of,
            query.kinds,
            query.due_before,
            query.limit,
            query.offset,
            query.within,
        )
        cached = self.cache.get(key) if generation is not None else None
        if cached is not None:
            return cached
        with self._engine.connect().execution_options(**READ_ONLY) as connection:
            values = {
                "now": as_of,
                "page_limit": query.limit + 1,
                "page_offset": query.offset,
            }
            if query.due_before is not None:
                values["before"] = query.due_before
            if query.within is not None:
                values["within"] = sorted(query.within)
            found = connection.execute(statement, values).all()
        rows = tuple(self._row(r) for r in found[: query.limit])
        more = len(found) > query.limit
        page = WorklistPage(
            rows=rows, next_offset=query.offset + query.limit if more else None, as_of=as_of
        )
        if generation is not None:
            self.cache.put(key, page)
        return page

    @staticmethod
    def _row(r: Any) -> WorklistRow:
        kind = _KIND_OF[r.kind]
        return WorklistRow(
            kind=kind,
            due=r.due,
            patient_id=r.patient_id,
            mrn=r.mrn,
            patient_name=f"{r.family_name}, {r.given_names}",
            pump_id=r.pump_id,
            serial=r.serial,
            model_id=r.model_id,
            opened=r.opened,
            record_id=r.record_id,
            detail=r.detail or _DETAIL.get(kind, kind.value),
            priority=r.priority or ("urgent" if kind in _URGENT else "routine"),
        )
