"""How many rows the worklist holds, by kind: the figures behind the ``thecal_worklist_items``
metrics (``adapters/observability/worklist_metrics.py``).

One ``GROUP BY`` over the same ``UNION ALL`` of branches the worklist page reads
(``adapters/read_models/worklist.py``), unbounded: every row the worklist would list, and how
many of them are due by ``now`` (overdue refills, tasks due, …). No patient data leaves this
module: kinds and counts only. Counts are kept per (clinical generation, minute) — the worklist
page's own cache key — so a scrape every few seconds costs one single-row read until something
clinical changes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, Select, case, func, select, union_all

from thecal.adapters.read_models.worklist import _KIND_OF, _NOW, _branches
from thecal.adapters.sql.clinical_generation import read_generation
from thecal.adapters.sql.database import READ_ONLY
from thecal.services.worklist import WorklistKind

__all__ = ["WorklistCount", "WorklistCounts"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorklistCount:
    kind: WorklistKind
    items: int
    due: int  # of which due by now


def _statement() -> Select[Any]:
    rows = union_all(*_branches(None, bounded=False)).subquery("rows")
    due = func.sum(case((rows.c.due <= _NOW, 1), else_=0), type_=Integer())
    return select(rows.c.kind, func.count().label("items"), due.label("due")).group_by(rows.c.kind)


class WorklistCounts:
    """The worklist's size by kind over an engine, cached per generation and minute."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._statement = _statement()
        self._lock = threading.Lock()
        self._key: tuple[int, dt.datetime] | None = None
        self._counts: tuple[WorklistCount, ...] = ()
        self.queries = 0  # counts read from the database (for tests)

    def by_kind(self, *, now: dt.datetime) -> tuple[WorklistCount, ...]:
        """Every kind with its count (zero for kinds with no row), as of ``now``'s minute."""
        minute = now.replace(second=0, microsecond=0)
        generation = read_generation(self._engine)
        key = None if generation is None else (generation, minute)
        with self._lock:
            if key is not None and key == self._key:
                return self._counts
        with self._engine.connect().execution_options(**READ_ONLY) as connection:
            found = connection.execute(self._statement, {"now": minute}).all()
        totals = {kind: [0, 0] for kind in WorklistKind}
        for row in found:
            kind = _KIND_OF.get(row.kind)
            if kind is not None:
                totals[kind][0] += int(row.items)
                totals[kind][1] += int(row.due or 0)
        counts = tuple(WorklistCount(kind=k, items=n, due=d) for k, (n, d) in totals.items())
        with self._lock:
            self.queries += 1
            self._key, self._counts = key, counts
        return counts
