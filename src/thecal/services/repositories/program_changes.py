"""The program change repository port, and the ledger of spent confirmation tokens.

A ``ProgramChange`` is identified by ``change_id`` (a :class:`~thecal.services.repositories.versioned.
KeyedRepository`); the columns it does not hold (its pump, its idempotency key) travel in
``pending`` from ``add_for_pump`` to ``_add``. :class:`UsedToken` is a spent SR-16 confirmation
token: the ledger spans all changes, so a token is never replayed anywhere.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thecal.domain.program_change import ProgramChange
from thecal.services.repositories.versioned import (
    KeyedRepository,
)

__all__ = [
    "ProgramChangeRepository",
    "TokenLedger",
    "UsedToken",
]


class ProgramChangeRepository(KeyedRepository):
    kind = "program change"

    def __init__(self) -> None:
        super().__init__()
        # the columns the aggregate does not hold, from ``add_for_pump`` to ``_add``
        self.pending: dict[str, tuple[Any, ...]] = {}  # id → (pump id, idempotency key)

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.change_id)

    def get_change(self, change_id: str) -> ProgramChange | None:
        found: ProgramChange | None = self.get(change_id)
        return found

    def get_by_key(self, idempotency_key: str) -> ProgramChange | None:
        found: ProgramChange | None = self._remember(self._get_by_key(idempotency_key))
        return found

    def in_flight(self, pump_id: str) -> Sequence[ProgramChange]:
        """Changes of this pump that were sent but not yet resolved by an interrogation."""
        return [c for c in self._in_flight(pump_id) if self._remember(c)]

    def pump_of(self, change_id: str) -> str | None:
        return self._pump_of(change_id)

    def for_pump(self, pump_id: str) -> Sequence[ProgramChange]:
        """Every change of this pump in any state, oldest proposal first (exports, histories)."""
        return [c for c in self._for_pump(pump_id) if self._remember(c)]

    @abc.abstractmethod
    def _for_pump(self, pump_id: str) -> Sequence[ProgramChange]: ...

    @abc.abstractmethod
    def _get_by_key(self, idempotency_key: str) -> ProgramChange | None: ...

    @abc.abstractmethod
    def _in_flight(self, pump_id: str) -> Sequence[ProgramChange]: ...

    @abc.abstractmethod
    def _pump_of(self, change_id: str) -> str | None: ...

    def add_for_pump(self, change: ProgramChange, *, pump_id: str, idempotency_key: str) -> None:
        """Add a new change for ``pump_id`` under ``idempotency_key`` (unique)."""
        self.pending[change.change_id] = (pump_id, idempotency_key)
        self.add(change)


@dataclass(frozen=True, slots=True, kw_only=True)
class UsedToken:
    token_id: str
    change_id: str
    user_id: str
    used_at: dt.datetime


class TokenLedger(abc.ABC):
    """Spent confirmation tokens across all program changes (SR-16: no replay, anywhere)."""

    @abc.abstractmethod
    def is_used(self, token_id: str) -> bool: ...

    @abc.abstractmethod
    def spend(self, token: UsedToken) -> None: ...
