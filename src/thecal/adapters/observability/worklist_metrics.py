"""The worklist's size by kind as Prometheus gauges, read from the database at each scrape.

``thecal_worklist_items{kind}`` counts every row the worklist lists; ``thecal_worklist_items_due``
the rows due by now. The answering worker reads them (cached per clinical generation and minute,
``adapters/read_models/worklist_counts.py``), so every worker reports the same clinic.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from thecal.adapters.read_models.worklist_counts import WorklistCounts
from thecal.services.clock import Clock

__all__ = ["WorklistCollector"]


class WorklistCollector(Collector):
    """Gauges of the worklist's rows by kind (no patient data: kinds and counts only)."""

    def __init__(self, counts: WorklistCounts, clock: Clock) -> None:
        self._counts = counts
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        items = GaugeMetricFamily(
            "thecal_worklist_items", "Rows on the worklist, by kind.", labels=["kind"]
        )
        due = GaugeMetricFamily(
            "thecal_worklist_items_due",
            "Rows on the worklist due by now (overdue refills, tasks due …), by kind.",
            labels=["kind"],
        )
        read = GaugeMetricFamily(
            "thecal_worklist_read_ok",
            "1 if the worklist figures could be read from the database at this scrape, else 0.",
        )
        try:
            counts = self._counts.by_kind(now=self._clock.now())
        except SQLAlchemyError:  # the database is down: /readyz says so; the scrape goes on
            read.add_metric([], 0)
            yield read
            return
        for count in counts:
            items.add_metric([count.kind.value], count.items)
            due.add_metric([count.kind.value], count.due)
        read.add_metric([], 1)
        yield from (items, due, read)
