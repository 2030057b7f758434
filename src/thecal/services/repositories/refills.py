"""The refill repository port.

A ``Refill`` is identified by ``refill_id`` (a :class:`~thecal.services.repositories.versioned.
KeyedRepository`); the columns it does not hold (its pump, its pharmacy verification, the safety
review's findings) travel in ``pending`` from ``add_for_pump`` to ``_add``.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from thecal.domain.program_change import FindingSummary
from thecal.domain.refill import Refill, RefillState
from thecal.services.repositories.versioned import (
    KeyedRepository,
)

__all__ = [
    "RefillRepository",
]


class RefillRepository(KeyedRepository):
    kind = "refill"

    def __init__(self) -> None:
        super().__init__()
        # the columns the aggregate does not hold, from ``add_for_pump`` to ``_add``
        self.pending: dict[str, tuple[Any, ...]] = {}  # id → (pump id, verification id, findings)

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.refill_id)

    def get_refill(self, refill_id: str) -> Refill | None:
        found: Refill | None = self.get(refill_id)
        return found

    def get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None:
        found: Refill | None = self._remember(self._get_by_key(pump_id, idempotency_key))
        return found

    def for_pump(self, pump_id: str) -> Sequence[Refill]:
        """The pump's refills, oldest first."""
        return [r for r in self._for_pump(pump_id) if self._remember(r)]

    @abc.abstractmethod
    def _get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None: ...

    @abc.abstractmethod
    def _for_pump(self, pump_id: str) -> Sequence[Refill]: ...

    def add_for_pump(
        self,
        refill: Refill,
        *,
        pump_id: str,
        verification_id: str | None,
        findings: tuple[FindingSummary, ...] = (),
    ) -> None:
        """Add a new refill of ``pump_id`` (its idempotency key is unique per pump)."""
        self.pending[refill.refill_id] = (pump_id, verification_id, findings)
        self.add(refill)

    def findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]:
        """The safety review's findings stored with the refill."""
        return self._findings_of(refill_id)

    @abc.abstractmethod
    def _findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]: ...

    @staticmethod
    def completed(refills: Sequence[Refill]) -> list[Refill]:
        return [r for r in refills if r.state is RefillState.COMPLETED]
