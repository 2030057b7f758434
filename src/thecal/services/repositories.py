"""Repository ports. Repositories load and store aggregates; they never commit.

:class:`VersionedRepository` is the pattern for every aggregate with a ``version`` (patient, user,
candidacy, and later pump, trial, refill): it remembers the version each aggregate had when it was
loaded, and :meth:`~VersionedRepository.update` writes only if the stored row still has that
version (optimistic locking, SR-24) — otherwise it raises :class:`StaleAggregate`. It also notes
that something was written, so the unit of work can refuse to commit a write that left no audit
entry.

:class:`AuditRepository` has no update or delete on purpose (SR-18).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from thecal.domain.audit import AuditEntry, AuditHeadMissing, ChainHead
from thecal.domain.candidacy import CandidacyAssessment
from thecal.domain.errors import Conflict, RequestInvalid
from thecal.domain.patient import Patient
from thecal.domain.users import User

__all__ = [
    "MAX_SEARCH_RESULTS",
    "AuditRepository",
    "AuditStoreShape",
    "CandidacyRepository",
    "PatientQuery",
    "PatientRepository",
    "StaleAggregate",
    "UserRepository",
    "Versioned",
    "VersionedRepository",
]

MAX_SEARCH_RESULTS = 100


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


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientQuery:
    """Allow-listed search criteria (SR-22): exact MRN, family-name prefix, exact birth date."""

    mrn: str | None = None
    family_name_prefix: str | None = None
    birth_date: dt.date | None = None
    limit: int = 25

    def __post_init__(self) -> None:
        if self.mrn is None and not self.family_name_prefix and self.birth_date is None:
            raise RequestInvalid(
                where="search", detail="give an MRN, a family name or a birth date"
            )
        if not 1 <= self.limit <= MAX_SEARCH_RESULTS:
            raise RequestInvalid(where="limit", detail=f"must be 1–{MAX_SEARCH_RESULTS}")


class PatientRepository(VersionedRepository[Patient]):
    kind = "patient"

    def get_by_mrn(self, mrn: str) -> Patient | None:
        return self._remember(self._get_by_mrn(mrn))

    def search(self, query: PatientQuery) -> Sequence[Patient]:
        """Matches ordered by family name, given names, id; at most ``query.limit``."""
        return [p for p in self._search(query) if self._remember(p)]

    @abc.abstractmethod
    def _get_by_mrn(self, mrn: str) -> Patient | None: ...

    @abc.abstractmethod
    def _search(self, query: PatientQuery) -> Sequence[Patient]: ...


class CandidacyRepository(VersionedRepository[CandidacyAssessment]):
    kind = "candidacy assessment"

    def for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]:
        """A patient's assessments, newest first."""
        return [a for a in self._for_patient(patient_id) if self._remember(a)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]: ...


class UserRepository(VersionedRepository[User]):
    kind = "user"

    def get_by_username(self, username: str) -> User | None:
        return self._remember(self._get_by_username(username))

    def page(self, *, limit: int, offset: int = 0) -> Sequence[User]:
        """Accounts ordered by username, ``offset`` skipped, at most ``limit``."""
        return [u for u in self._page(limit=limit, offset=offset) if self._remember(u)]

    @abc.abstractmethod
    def _get_by_username(self, username: str) -> User | None: ...

    @abc.abstractmethod
    def _page(self, *, limit: int, offset: int) -> Sequence[User]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditStoreShape:
    """What the audit tables look like around the chain: for a verification to name what is gone.

    ``head`` is the recorded head (None: the chain is empty, or the row is gone — see
    ``head_present``); ``guards_missing`` names append-only triggers dropped, disabled or rewritten.
    """

    tables_missing: tuple[str, ...] = ()
    guards_missing: tuple[str, ...] = ()
    head_present: bool = True
    head: ChainHead | None = None


class AuditRepository(abc.ABC):
    """Append and read only. There is deliberately no update or delete (SR-18)."""

    @abc.abstractmethod
    def head(self) -> ChainHead | None:
        """The last entry's sequence, hash and key, locked for this transaction; None when empty.

        Raises:
            AuditHeadMissing: the head row is gone (nothing can be appended safely).
        """

    @abc.abstractmethod
    def append(self, entry: AuditEntry) -> None:
        """Store ``entry`` and advance the recorded head to it."""

    @abc.abstractmethod
    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        """All entries after ``after_sequence`` in sequence order, streamed."""

    @abc.abstractmethod
    def recorded_head(self) -> ChainHead | None:
        """The head as recorded beside the chain (an anchor for verification), without locking.

        Raises:
            AuditHeadMissing: the head row is gone.
        """

    def inspect(self) -> AuditStoreShape:
        """The tables, guards and head row; never raises for a missing part (it is named).

        This default knows no tables or triggers; SQL adapters look at the schema.
        """
        try:
            return AuditStoreShape(head=self.recorded_head())
        except AuditHeadMissing:
            return AuditStoreShape(head_present=False)

    def hash_at(self, sequence: int) -> str | None:
        """The stored hash of the entry at ``sequence`` (None: no such entry).

        This default walks the chain; SQL adapters override it with one indexed query.
        """
        for entry in self.entries(after_sequence=sequence - 1):
            return entry.entry_hash if entry.sequence == sequence else None
        return None

    def newest(self, *, before_sequence: int | None = None, limit: int = 50) -> list[AuditEntry]:
        """Up to ``limit`` entries below ``before_sequence`` (None: from the head), newest first.

        This default walks the chain; SQL adapters override it with one indexed query.
        """
        kept = [
            e for e in self.entries() if before_sequence is None or e.sequence < before_sequence
        ]
        return list(reversed(kept[-limit:])) if limit > 0 else []
