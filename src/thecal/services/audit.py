"""Verify the audit chain (SR-17): every entry in order, against the recorded head.

``verify_audit`` is a user's verification (audited with its outcome); ``check_chain_at_start``
is the server's own check before it serves (``thecal serve``): no user, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from thecal.domain.audit import ChainReport, verify_chain
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.progress import Progress, counted
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["CheckChainAtStart", "VerifyAudit", "check_chain_at_start", "verify_audit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAudit:
    actor: Actor
    #: Told how many entries have been checked of how many (a progress bar); None for nothing.
    progress: Progress | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckChainAtStart:
    """The server's start-up check (SR-17): no actor, no policy check, nothing written."""


def check_chain_at_start(
    cmd: CheckChainAtStart, *, uow: AbstractUnitOfWork, clock: Clock
) -> ChainReport:
    """Walk the whole chain against the recorded head; the caller refuses to serve if it breaks."""
    del cmd, clock  # the check needs neither: it reads the chain and the key only
    with uow:
        anchor = uow.audit_log.recorded_head()
        return verify_chain(uow.audit_log.entries(), uow.audit_key, anchor=anchor)


def verify_audit(cmd: VerifyAudit, *, uow: AbstractUnitOfWork, clock: Clock) -> ChainReport:
    """Walk the whole chain with the unit of work's key; report the first bad entry and why.

    The verification itself is recorded (after the walk, so it does not verify itself) with its
    outcome, in the same transaction.
    """
    authorize(cmd.actor, Action.AUDIT_VERIFY, Subject.collection("audit"))
    with uow:
        anchor = uow.audit_log.recorded_head()
        total = anchor.sequence if anchor is not None else None
        entries = counted(uow.audit_log.entries(), cmd.progress, total=total)
        report = verify_chain(entries, uow.audit_key, anchor=anchor)
        outcome: dict[str, object] = {"ok": report.ok, "entries_checked": report.entries_checked}
        if report.first_break is not None:
            outcome["first_break_sequence"] = report.first_break.sequence
            outcome["reason"] = report.first_break.reason.name
        uow.audit.record(
            actor=cmd.actor,
            action=Action.AUDIT_VERIFY,
            subject=Subject.collection("audit"),
            at=clock.now(),
            details=outcome,
        )
        uow.commit()
    return report
