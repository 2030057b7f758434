"""The audit chain's head, checked in constant time: the server's readiness check (``/readyz``).

``thecal serve`` verifies the whole chain before it listens (``services/audit.py``); a readiness
probe asked every few seconds cannot walk a million entries. :func:`check_audit_head` checks what
can be checked at the head in one read: the recorded head names an entry that exists, holds the
same hash, is the last entry, and whose HMAC verifies with this server's key (a server started
with the wrong ``THECAL_AUDIT_KEY`` fails here at once). A clinic with no entries yet is ready.
No actor, nothing written: the probe is anonymous and reveals only ok and a reason.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from itertools import islice

from thecal.domain.audit import AuditEntry, ChainHead
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["AuditHeadReport", "CheckAuditHead", "check_audit_head"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckAuditHead:
    """The readiness probe's check of the chain head (no actor, nothing written)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditHeadReport:
    ok: bool
    sequence: int | None  # the recorded head's sequence (None: no entries yet)
    last_at: dt.datetime | None  # when the head entry was written
    detail: str


def check_audit_head(
    cmd: CheckAuditHead, *, uow: AbstractUnitOfWork, clock: Clock
) -> AuditHeadReport:
    """The recorded head is the last entry, with its hash, and that entry's HMAC verifies."""
    del cmd, clock
    with uow.reading():
        head = uow.audit_log.recorded_head()
        start = 0 if head is None else head.sequence - 1
        found = list(islice(uow.audit_log.entries(after_sequence=start), 2))
    sequence = None if head is None else head.sequence
    problem = _problem(head, found, uow.audit_key)
    if problem is not None:
        return AuditHeadReport(ok=False, sequence=sequence, last_at=None, detail=problem)
    if head is None:
        return AuditHeadReport(ok=True, sequence=None, last_at=None, detail="no entries yet")
    return AuditHeadReport(
        ok=True, sequence=sequence, last_at=found[0].occurred_at, detail="head verifies"
    )


def _problem(head: ChainHead | None, found: list[AuditEntry], key: bytes) -> str | None:
    """What is wrong at the head (None: nothing): ``found`` is up to two entries from it."""
    if head is None:
        return f"entries exist (from sequence {found[0].sequence}) but no head" if found else None
    if not found or found[0].sequence != head.sequence:
        return f"the recorded head's entry {head.sequence} is missing"
    entry = found[0]
    if len(found) > 1:
        return f"entry {found[1].sequence} lies beyond the recorded head"
    if not hmac.compare_digest(entry.entry_hash, head.entry_hash):
        return "the head entry's hash differs from the recorded head"
    if not hmac.compare_digest(entry.entry_hash, entry.expected_hash(key)):
        return "the head entry's HMAC does not verify with this key"
    return None
