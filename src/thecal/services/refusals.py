"""Refused access leaves a trace (SR-17, SR-21): one ``access.refused`` audit entry per refusal.

A use case refused by the authorization policy rolls back its own transaction, so the refusal is
written afterwards, in a transaction of its own, by the composition root
(``bootstrap.Thecal.run``): who asked, for which action on which subject, and why it was refused.
Only the policy's refusals count (:data:`REFUSALS`): a wrong password or an expired session is
audited by the identity service itself, and a conflict or bad input is not an access question.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.actors import ActorNotAllowed, InactiveActor
from thecal.domain.authorization import AccessDenied, Action, Subject
from thecal.domain.errors import PermissionDenied
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["REFUSALS", "RecordRefusal", "record_refusal"]

REFUSALS: tuple[type[PermissionDenied], ...] = (AccessDenied, ActorNotAllowed, InactiveActor)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRefusal:
    actor: Actor
    use_case: str  # the refused use case's name, e.g. "complete_task"
    refusal: PermissionDenied


def record_refusal(cmd: RecordRefusal, *, uow: AbstractUnitOfWork, clock: Clock) -> None:
    """Append one ``access.refused`` entry naming actor, action, subject and reason.

    No policy check: recording that the policy said no is not itself an access.
    """
    fields = cmd.refusal.fields
    refused_action = str(fields.get("action", cmd.use_case))
    subject = str(fields.get("subject", "unknown"))
    with uow:
        uow.audit.record(
            actor=cmd.actor,
            action=Action.ACCESS_REFUSED,
            subject=Subject.collection(subject),
            at=clock.now(),
            details={
                "refused_action": refused_action,
                "use_case": cmd.use_case,
                "code": cmd.refusal.code,
                "reason": cmd.refusal.message,
            },
        )
        uow.commit()
