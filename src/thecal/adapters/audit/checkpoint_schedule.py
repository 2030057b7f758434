"""The server's scheduled audit checkpoint: a thread that checkpoints the chain's head.

Every ``interval`` (``THECAL_AUDIT_CHECKPOINT_MINUTES``, default 15) it runs
:func:`thecal.services.audit.checkpoint_audit`: the entries appended since the latest checkpoint
are verified and the head is checkpointed; once ``full_every`` (a day: SR-17 asks for a daily
verification) the whole chain is walked instead. A problem is logged at CRITICAL by the use case and no
checkpoint is made, so the checkpoints go stale and a readiness probe that asks
:func:`thecal.services.audit_checkpoints.checkpoint_freshness` reports it. An error (the file
cannot be written, the database is down) is logged and the next tick tries again; the thread
never dies of it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from thecal.domain.audit import AuditVerdict

__all__ = ["CheckpointSchedule"]

log = logging.getLogger("thecal.audit.checkpoint")


class CheckpointSchedule:
    """Calls ``checkpoint`` every ``interval`` on a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        checkpoint: Callable[[bool], AuditVerdict],
        *,
        interval: dt.timedelta,
        full_every: dt.timedelta = dt.timedelta(days=1),
    ) -> None:
        self._checkpoint = checkpoint  # called with full=True when a whole walk is due
        self._interval = interval
        self._full_after = max(1, round(full_every / interval))  # ticks between whole walks
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0  # checkpoints attempted (for tests and logs)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def tick(self) -> AuditVerdict | None:
        """One scheduled checkpoint (a whole walk every ``full_every``); errors are logged."""
        self.ticks += 1
        try:
            return self._checkpoint(self.ticks % self._full_after == 0)
        except Exception:
            log.exception("scheduled audit checkpoint failed")
            return None

    def _run(self) -> None:
        while not self._stopped.wait(self._interval.total_seconds()):
            self.tick()
