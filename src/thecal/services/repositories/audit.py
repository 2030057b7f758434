"""The audit log port: append and read only, deliberately no update or delete (SR-18)."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from thecal.domain.audit import AuditEntry, AuditHeadMissing, ChainHead

__all__ = [
    "AuditQuery",
    "AuditRepository",
    "AuditStoreShape",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditQuery:
    """Which entries to read: each field given narrows the log (all of them: every entry).

    ``actor`` is a user id (or a system actor's name), ``subject`` the entry's subject text
    (``patient:<id>`` for anything in a patient's record), ``action`` an action code or a family
    ending in a dot (``program_change.``); ``since`` is inclusive, ``until`` exclusive.
    """

    actor: str | None = None
    subject: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def admits(self, entry: AuditEntry) -> bool:
        """Whether ``entry`` is one this query reads (the SQL adapters ask the same in SQL)."""
        if self.actor is not None and entry.actor != self.actor:
            return False
        if self.subject is not None and entry.subject != self.subject:
            return False
        if self.action is not None and not (
            entry.action.startswith(self.action)
            if self.action.endswith(".")
            else entry.action == self.action
        ):
            return False
        if self.since is not None and entry.occurred_at < self.since:
            return False
        return self.until is None or entry.occurred_at < self.until


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

    def newest(
        self,
        *,
        before_sequence: int | None = None,
        limit: int = 50,
        query: AuditQuery | None = None,
    ) -> list[AuditEntry]:
        """Up to ``limit`` entries below ``before_sequence`` (None: from the head) that ``query``
        admits, newest first.

        This default walks the chain; SQL adapters override it with one indexed query.
        """
        wanted = query or AuditQuery()
        kept = [
            e
            for e in self.entries()
            if (before_sequence is None or e.sequence < before_sequence) and wanted.admits(e)
        ]
        return list(reversed(kept[-limit:])) if limit > 0 else []
