"""The base of every versioned repository port: optimistic locking (SR-24) and the write mark.

:class:`VersionedRepository` is the pattern for every aggregate with a ``version`` (patient, user,
candidacy, pump, trial, refill…): it remembers the version each aggregate had when it was loaded,
and :meth:`~VersionedRepository.update` writes only if the stored row still has that version —
otherwise it raises :class:`StaleAggregate`. It also notes that something was written, so the unit
of work can refuse to commit a write that left no audit entry. :class:`KeyedRepository` is the same
for aggregates whose identity attribute is not ``id`` (``change_id``, ``refill_id``,
``trial_id``, ``plan_id``).
"""

from __future__ import annotations

import abc
from typing import Any, Generic, Protocol, TypeVar

from thecal.domain.errors import Conflict

__all__ = [
    "KeyedRepository",
    "StaleAggregate",
    "Versioned",
    "VersionedRepository",
]


class Versioned(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...


A = TypeVar("A", bound=Versioned)


class StaleAggregate(Conflict):
    code = "THC-UOW-002"
    template = (
        "{kind} {ident} was changed by someone else since it was read at version {expected}; "
        "reload and try again"
    )


class VersionedRepository(abc.ABC, Generic[A]):
    """Add, get and update one aggregate type with optimistic version checks."""

    kind: str = "record"

    def __init__(self) -> None:
        self.written = False
        self._loaded: dict[str, int] = {}

    def add(self, aggregate: A) -> None:
        self._add(aggregate)
        self._loaded[aggregate.id] = aggregate.version
        self.written = True

    def get(self, ident: str) -> A | None:
        return self._remember(self._get(ident))

    def update(self, aggregate: A) -> None:
        """Store a changed aggregate loaded through this repository.

        Raises:
            StaleAggregate: the stored version is no longer the one that was loaded.
        """
        loaded = self._loaded.get(aggregate.id)
        if loaded is None:
            msg = f"{self.kind} {aggregate.id} was not loaded through this repository"
            raise RuntimeError(msg)
        if not self._update(aggregate, expected_version=loaded):
            raise StaleAggregate(kind=self.kind, ident=aggregate.id, expected=loaded)
        self._loaded[aggregate.id] = aggregate.version
        self.written = True

    def _remember(self, aggregate: A | None) -> A | None:
        if aggregate is not None:
            self._loaded[aggregate.id] = aggregate.version
        return aggregate

    @abc.abstractmethod
    def _add(self, aggregate: A) -> None: ...

    @abc.abstractmethod
    def _get(self, ident: str) -> A | None: ...

    @abc.abstractmethod
    def _update(self, aggregate: A, *, expected_version: int) -> bool:
        """Write the aggregate if the stored version is ``expected_version``; True if written."""


class KeyedRepository(VersionedRepository[Any]):
    """A versioned repository for aggregates whose identity attribute is not ``id``."""

    @staticmethod
    @abc.abstractmethod
    def key(aggregate: Any) -> str: ...

    def add(self, aggregate: Any) -> None:
        self._add(aggregate)
        self._loaded[self.key(aggregate)] = aggregate.version
        self.written = True

    def update(self, aggregate: Any) -> None:
        ident = self.key(aggregate)
        loaded = self._loaded.get(ident)
        if loaded is None:
            msg = f"{self.kind} {ident} was not loaded through this repository"
            raise RuntimeError(msg)
        if not self._update(aggregate, expected_version=loaded):
            raise StaleAggregate(kind=self.kind, ident=ident, expected=loaded)
        self._loaded[ident] = aggregate.version
        self.written = True

    def _remember(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self._loaded[self.key(aggregate)] = aggregate.version
        return aggregate
