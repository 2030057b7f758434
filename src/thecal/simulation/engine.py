"""The event queue: one heap ordered by (time, priority, sequence).

Modelled on SimPy's ``Environment`` (aesthetics.md §4a): simultaneous events leave in priority
order, then in the order they were scheduled, so a run is reproducible. Time is an integer count of
microseconds since the scenario start; the twin advances its state analytically from one event to
the next and never steps through time in fixed increments.
"""

from __future__ import annotations

import heapq
import itertools
from enum import IntEnum
from typing import Generic, TypeVar

__all__ = ["EventQueue", "Priority"]

P = TypeVar("P")


class Priority(IntEnum):
    """Order of simultaneous events: device-internal transitions first, observation last."""

    DEVICE = 0  # recovery after MRI, end of a transient fault, end of service
    FAULT = 1  # an injected fault starts
    CLINICIAN = 2  # programming, refill steps, MRI, valve reset
    PATIENT = 3  # patient-activated bolus requests
    SAMPLE = 9  # periodic observation for the trace


class EventQueue(Generic[P]):
    """A deterministic priority queue of payloads keyed by integer time."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, P]] = []
        self._seq = itertools.count()

    def push(self, at_us: int, priority: Priority, payload: P) -> None:
        if at_us < 0:
            msg = f"event time must be ≥ 0 µs, got {at_us}"
            raise ValueError(msg)
        heapq.heappush(self._heap, (at_us, int(priority), next(self._seq), payload))

    def peek_time(self) -> int | None:
        """Time of the next event, or None when the queue is empty."""
        return self._heap[0][0] if self._heap else None

    def pop(self) -> tuple[int, P]:
        at_us, _, _, payload = heapq.heappop(self._heap)
        return at_us, payload

    def __len__(self) -> int:
        return len(self._heap)

    def items(self) -> list[tuple[int, int, int, P]]:
        """The queued entries in heap order (for snapshots)."""
        return list(self._heap)
