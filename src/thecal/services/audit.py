"""Verify the audit chain (SR-17): every entry in order, against the recorded head."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.audit import ChainReport, verify_chain
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["VerifyAudit", "verify_audit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAudit:
    actor: Actor


def verify_audit(cmd: VerifyAudit, *, uow: AbstractUnitOfWork, clock: Clock) -> ChainReport:
    """Walk the whole chain with the unit of work's key; report the first bad entry and why.

    The verification itself is recorded (after the walk, so it does not verify itself) with its
    outcome, in the same transaction.
    """
    authorize(cmd.actor, Action.AUDIT_VERIFY, Subject.collection("audit"))
    with uow:
        anchor = uow.audit_log.recorded_head()
        report = verify_chain(uow.audit_log.entries(), uow.audit_key, anchor=anchor)
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
