"""The audit log port: append and read only, deliberately no update or delete (SR-18)."""

from __future__ import annotations

import abc
from collections.abc import Iterator

from thecal.domain.audit import AuditEntry, ChainHead

__all__ = [
    "AuditRepository",
]


class AuditRepository(abc.ABC):
    """Append and read only. There is deliberately no update or delete (SR-18)."""

    @abc.abstractmethod
    def head(self) -> ChainHead | None:
        """The last entry's sequence and hash, locked for this transaction; None when empty."""

    @abc.abstractmethod
    def append(self, entry: AuditEntry) -> None:
        """Store ``entry`` and advance the recorded head to it."""

    @abc.abstractmethod
    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        """All entries after ``after_sequence`` in sequence order, streamed."""

    @abc.abstractmethod
    def recorded_head(self) -> ChainHead | None:
        """The head as recorded beside the chain (an anchor for verification), without locking."""

    def newest(self, *, before_sequence: int | None = None, limit: int = 50) -> list[AuditEntry]:
        """Up to ``limit`` entries below ``before_sequence`` (None: from the head), newest first.

        This default walks the chain; SQL adapters override it with one indexed query.
        """
        kept = [
            e for e in self.entries() if before_sequence is None or e.sequence < before_sequence
        ]
        return list(reversed(kept[-limit:])) if limit > 0 else []
