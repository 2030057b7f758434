"""Prometheus metrics of one server (``prometheus-client``), per process or across workers.

=========================================  =========  ====================================================
metric                                     type       labels and meaning
=========================================  =========  ====================================================
``thecal_http_request_duration_seconds``   histogram  ``method``, ``route`` (the route's template, e.g.
                                                      ``/api/v1/pumps/{pump_id}``; ``unmatched`` for 404s
                                                      outside any route), ``status``: time to answer
``thecal_http_errors_total``               counter    ``route``, ``status``: answers with status ≥ 500
                                                      (``kind="server"``) or 4xx (``kind="client"``)
``thecal_audit_append_seconds``            histogram  time an audited read waited for the group commit
                                                      that holds its entry (queue to commit)
``thecal_device_commands_total``           counter    ``command`` (interrogate, program, withdraw_residual,
                                                      inject, request_patient_bolus, implant,
                                                      priming_bolus), ``outcome`` (ok, refused, uncertain,
                                                      failed): commands sent to pumps, counted when the
                                                      use case committed (failed: when the pump raised)
``thecal_worklist_items``                  gauge      ``kind``: rows on the worklist (read from the database
                                                      at each scrape, cached per clinical generation and
                                                      minute); ``thecal_worklist_items_due`` the part due
                                                      by now (overdue refills, due tasks …)
=========================================  =========  ====================================================

One process: the metrics live in this :class:`Metrics`' own registry. Several workers
(``thecal serve --workers N``): ``prometheus-client``'s multiprocess mode — the server sets
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before the workers start, every worker writes its
counters and histograms to files there, and whichever worker answers ``/metrics`` sums them all
(:class:`~prometheus_client.multiprocess.MultiProcessCollector`). A worker that dies keeps its
counts in the sum, so counters stay monotonic across restarts. There are no multiprocess gauges:
the worklist figures are read from the database by the answering worker, the same for all.

Nothing is registered at import time: build a :class:`Metrics` per application.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE",
    "DEVICE_OUTCOMES",
    "MULTIPROCESS_ENV",
    "Metrics",
    "multiprocess_dir",
]

#: The environment variable prometheus-client reads (at import) for multiprocess mode.
MULTIPROCESS_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
DEVICE_OUTCOMES: Final = ("ok", "refused", "uncertain", "failed")

# Request latency buckets: a page or API answer is expected in tens of milliseconds; seconds mean
# trouble (the web target is a page p95 < 150 ms, docs/benchmarks.md).
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A group commit waits for one fsync (about a millisecond to tens of milliseconds).
_AUDIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def multiprocess_dir() -> str | None:
    """The multiprocess folder in force for this process (None: single-process metrics)."""
    return os.environ.get(MULTIPROCESS_ENV) or None


class Metrics:
    """The server's metrics and their exposition (one instance per application)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "thecal_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["method", "route", "status"],
            buckets=_REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "thecal_http_errors",
            "HTTP answers with an error status, by route template (kind: client 4xx, server 5xx).",
            ["route", "status", "kind"],
            registry=self.registry,
        )
        self.audit_append = Histogram(
            "thecal_audit_append_seconds",
            "Time an audited read waited until the group commit holding its entry committed.",
            buckets=_AUDIT_BUCKETS,
            registry=self.registry,
        )
        self.device_commands = Counter(
            "thecal_device_commands",
            "Commands sent to pumps, by command and outcome.",
            ["command", "outcome"],
            registry=self.registry,
        )
        self._scraped = CollectorRegistry(auto_describe=False)

    def observe_request(self, *, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)
        if status >= 400:
            kind = "server" if status >= 500 else "client"
            self.errors.labels(route, str(status), kind).inc()

    def observe_audit_append(self, seconds: float) -> None:
        self.audit_append.observe(seconds)

    def count_device_commands(self, done: Iterable[tuple[str, str]]) -> None:
        """Count ``(command, outcome)`` pairs (outcome one of :data:`DEVICE_OUTCOMES`)."""
        for command, outcome in done:
            self.device_commands.labels(command, outcome).inc()

    def add_scraped(self, collector: Collector) -> None:
        """A collector computed by the answering process at each scrape (database figures)."""
        self._scraped.register(collector)

    def exposition(self) -> bytes:
        """The text format of every metric: this process's, or all workers' summed."""
        folder = multiprocess_dir()
        registry = self.registry
        if folder is not None:
            registry = CollectorRegistry(auto_describe=False)
            MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(registry) + generate_latest(self._scraped)
