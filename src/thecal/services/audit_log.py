"""Read the audit log (admin): newest entries first, a page at a time; the read is itself audited.

Reading the log is a security-relevant act (ASVS 7.3.3 protects security logs, safety:S105), so
every page read appends an entry naming the range returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.audit import AuditEntry
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["MAX_AUDIT_PAGE", "AuditPage", "ReadAuditLog", "read_audit_log"]

MAX_AUDIT_PAGE = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadAuditLog:
    actor: Actor
    before_sequence: int | None = None  # None: start at the newest entry
    limit: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_AUDIT_PAGE:
            raise RequestInvalid(where="limit", detail=f"must be 1–{MAX_AUDIT_PAGE}")
        if self.before_sequence is not None and self.before_sequence < 1:
            raise RequestInvalid(where="before_sequence", detail="must be ≥ 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_before_sequence: int | None  # the cursor for the next (older) page; None at the start


def read_audit_log(cmd: ReadAuditLog, *, uow: AbstractUnitOfWork, clock: Clock) -> AuditPage:
    """A page of entries, newest first, strictly below ``before_sequence``."""
    subject = Subject.collection("audit")
    authorize(cmd.actor, Action.AUDIT_READ, subject)
    with uow:
        entries = tuple(uow.audit_log.newest(before_sequence=cmd.before_sequence, limit=cmd.limit))
        uow.audit.record(
            actor=cmd.actor,
            action=Action.AUDIT_READ,
            subject=subject,
            at=clock.now(),
            details={
                "before_sequence": cmd.before_sequence,
                "returned": [entries[0].sequence, entries[-1].sequence] if entries else [],
            },
        )
        uow.commit()
    oldest = entries[-1].sequence if entries else None
    more = oldest is not None and oldest > 1 and len(entries) == cmd.limit
    return AuditPage(entries=entries, next_before_sequence=oldest if more else None)
