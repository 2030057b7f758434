"""Group commit of read audit entries: concurrent requests share one transaction and one fsync.

Every read of PHI is audited before its answer leaves (SR-17), and on SQLite with
``synchronous=FULL`` each audited transaction ends in an fsync. Under 20 concurrent readers the
fsyncs, one after the other behind the single writer, cap the throughput. A read changes no
record, so its entry needs no transaction of its own: :class:`AuditGroupCommit` queues the
entries of concurrent reads, and one of the waiting threads (the *writer*) appends all those
queued so far, chained in queue order, in ONE transaction of the unit of work (``uow.audit``:
the same head, the same hash chain, the same HMAC) and commits it. Every caller returns only when
the transaction holding its entry has committed; if that transaction fails, every caller in it
gets the error (nothing is acknowledged that was not committed). PostgreSQL serialization
failures rerun the whole batch (``retry_on_serialization_failure``); a rerun re-reads the head.
``observe``, when given, is told how long each recorded entry waited from its queueing until its
transaction committed (the ``thecal_audit_append_seconds`` metric).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self

from thecal.domain.audit import AuditEntry
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Actor
from thecal.services.unit_of_work import AuditTrail

__all__ = ["MAX_BATCH", "AuditGroupCommit", "AuditWriter"]

MAX_BATCH = 64


class AuditWriter(Protocol):
    """A transaction that can append to the audit trail: a unit of work, or something smaller
    (``adapters/sql/unit_of_work.py`` ``AuditOnlyTransaction``: no ORM session, no repositories)."""

    audit: AuditTrail

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


@dataclass(eq=False)
class _Pending:
    actor: Actor
    action: Action
    subject: Subject
    at: Any
    details: Mapping[str, Any] | None
    done: bool = False
    entry: AuditEntry | None = None
    error: BaseException | None = field(default=None)


class AuditGroupCommit:
    """Appends read audit entries of concurrent callers in shared transactions."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuditWriter],
        *,
        run: Callable[[Callable[[], list[AuditEntry]]], list[AuditEntry]] | None = None,
        max_batch: int = MAX_BATCH,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._observe = observe
        self._run = run or (lambda write: write())
        self._max_batch = max_batch
        self._changed = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False
        self.transactions = 0  # committed batches (for tests and measurements)

    @property
    def writing(self) -> bool:
        """True while a batch is being written."""
        return self._writing

    @property
    def queued(self) -> int:
        """Entries waiting for the next batch."""
        with self._changed:
            return len(self._queue)

    def record(
        self,
        *,
        actor: Actor,
        action: Action,
        subject: Subject,
        at: Any,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry; returns once the transaction holding it has committed.

        Raises:
            whatever the shared transaction raised (the entry was then not recorded).
        """
        mine = _Pending(actor=actor, action=action, subject=subject, at=at, details=details)
        queued = time.perf_counter()
        entry = self._record(mine)
        if self._observe is not None:
            self._observe(time.perf_counter() - queued)
        return entry

    def _record(self, mine: _Pending) -> AuditEntry:
        with self._changed:
            self._queue.append(mine)
            while True:
                while self._writing and not mine.done:
                    self._changed.wait()
                if mine.done:
                    return _outcome(mine)
                self._writing = True
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                self._changed.release()
                try:
                    self._write(batch)  # every entry of the batch is done, recorded or failed
                finally:
                    self._changed.acquire()
                    self._writing = False
                    self._changed.notify_all()

    def _write(self, batch: list[_Pending]) -> None:
        def write() -> list[AuditEntry]:
            uow = self._unit_of_work()
            with uow:
                entries = [
                    uow.audit.record(
                        actor=p.actor,
                        action=p.action,
                        subject=p.subject,
                        at=p.at,
                        details=p.details,
                    )
                    for p in batch
                ]
                uow.commit()
            return entries

        try:
            entries = self._run(write)
        except BaseException as error:  # handed to every caller of the batch
            for pending in batch:
                pending.error = error
                pending.done = True
            if not isinstance(error, Exception):  # an interrupt: also stop this thread
                raise
            return
        self.transactions += 1
        for pending, entry in zip(batch, entries, strict=True):
            pending.entry = entry
            pending.done = True


def _outcome(pending: _Pending) -> AuditEntry:
    if pending.error is not None:
        raise pending.error
    assert pending.entry is not None  # noqa: S101 - done without error means recorded
    return pending.entry
