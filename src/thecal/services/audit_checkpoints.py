"""Where checkpoints of the audit chain's head are kept, outside the database (port).

A :class:`CheckpointStore` appends signed checkpoints and reads them back; the adapter is an
append-only file (``adapters/audit/checkpoint_file.py``), which also writes each checkpoint as a
log line so it can be shipped off the machine. The store stamps checkpoints with its own
wall clock (real time, never the demo clinic's moved clock).

:func:`checkpoint_freshness` is the question a readiness probe asks ("is the latest checkpoint
recent?"): documented for operations in ``docs/persistence.md``.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.audit import (
    AuditKey,
    AuditKeyRing,
    ChainHead,
    Checkpoint,
    CheckpointHistory,
    CheckpointKind,
    read_history,
    sign_checkpoint,
)
from thecal.services.clock import Clock

__all__ = [
    "CheckpointFreshness",
    "CheckpointStore",
    "MemoryCheckpointStore",
    "checkpoint_freshness",
]


class CheckpointStore(abc.ABC):
    """Append-only checkpoints of the chain's head, kept away from the database."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where the checkpoints are, for messages (a path)."""

    @abc.abstractmethod
    def _append_line(self, line: str) -> None:
        """Append one line durably (the adapter also logs it)."""

    @abc.abstractmethod
    def lines(self) -> Sequence[str]:
        """Every stored line, oldest first (none when nothing was written yet)."""

    def now(self) -> dt.datetime:
        return self._clock.now()

    def record(
        self,
        head: ChainHead | None,
        *,
        chain_start: str,
        kind: CheckpointKind,
        key: AuditKey,
        note: str = "",
    ) -> Checkpoint:
        """Sign the checkpoint of ``head`` with ``key`` at this store's time, append it, return it."""
        checkpoint = sign_checkpoint(
            head, chain_start=chain_start, made_at=self.now(), kind=kind, key=key, note=note
        )
        self._append_line(checkpoint.to_line())
        return checkpoint

    def history(self, ring: AuditKeyRing) -> CheckpointHistory:
        """Every line checked (shape and signature); the checkpoints that apply.

        A store that cannot be read gives no checkpoints and names why (never raises).
        """
        try:
            lines = self.lines()
        except (OSError, UnicodeDecodeError) as error:
            return CheckpointHistory(problems=(f"cannot read {self.location}: {error}",))
        return read_history(lines, ring)


class MemoryCheckpointStore(CheckpointStore):
    """Checkpoints in a list: for tests and tools that keep nothing."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.stored: list[str] = []

    @property
    def location(self) -> str:
        return "memory"

    def _append_line(self, line: str) -> None:
        self.stored.append(line)

    def lines(self) -> Sequence[str]:
        return list(self.stored)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointFreshness:
    """How old the latest valid checkpoint is; ``fresh`` when it is at most ``max_age`` old."""

    latest: Checkpoint | None
    age: dt.timedelta | None
    max_age: dt.timedelta
    problems: tuple[str, ...]

    @property
    def fresh(self) -> bool:
        return self.age is not None and self.age <= self.max_age and not self.problems


def checkpoint_freshness(
    store: CheckpointStore, ring: AuditKeyRing, *, max_age: dt.timedelta
) -> CheckpointFreshness:
    """The latest checkpoint and its age on the store's clock (no database access).

    For a readiness probe: not fresh when there is no checkpoint, when the latest is older than
    ``max_age`` (the schedule stopped, or found the chain broken and refused to checkpoint it), or
    when a line of the file does not verify.
    """
    history = store.history(ring)
    latest = history.latest
    age = store.now() - latest.made_at if latest is not None else None
    return CheckpointFreshness(latest=latest, age=age, max_age=max_age, problems=history.problems)
