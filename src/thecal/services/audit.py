"""Verify the audit log and checkpoint its head (SR-17).

* :func:`verify_audit` — a user's verification (``thecal audit verify``): every entry, the store
  around the chain and the latest checkpoint. When all is well the verification is recorded in the
  log and the new head is checkpointed; when not, **nothing is written to the database** (a broken
  chain is never extended) and the failure goes to the log instead.
* :func:`check_chain_at_start` — the server's own full check before it serves (``thecal serve``):
  no user; a START checkpoint when the chain verifies.
* :func:`checkpoint_audit` — the server's scheduled checkpoint: the entries since the latest
  checkpoint are verified (cheap; the whole chain once a day), then the head is checkpointed; a
  problem is logged and no checkpoint is made (so a readiness probe sees the checkpoints go
  stale).

The walks run in read-only transactions: a long verification never holds the write lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from thecal.domain.audit import (
    GENESIS_HASH,
    AuditProblem,
    AuditVerdict,
    ChainHead,
    Checkpoint,
    CheckpointKind,
    verify_chain,
)
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.users import Actor
from thecal.services.audit_integrity import full_verdict, incremental_verdict
from thecal.services.clock import Clock
from thecal.services.progress import Progress
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "CheckChainAtStart",
    "CheckpointAudit",
    "VerifyAudit",
    "check_chain_at_start",
    "checkpoint_audit",
    "checkpoint_head",
    "verify_audit",
]

log = logging.getLogger("thecal.audit")

_AUDIT = Subject.collection("audit")
_EMPTY_HEAD = ChainHead(sequence=0, entry_hash=GENESIS_HASH)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAudit:
    actor: Actor
    #: Told how many entries have been checked of how many (a progress bar); None for nothing.
    progress: Progress | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckChainAtStart:
    """The server's start-up check (SR-17): no actor, no policy check, nothing in the database."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointAudit:
    """The server's scheduled checkpoint: no actor, nothing in the database.

    ``full``: walk the whole chain (the schedule does once a day, SR-17), not only the entries
    since the latest checkpoint.
    """

    kind: CheckpointKind = CheckpointKind.SCHEDULE
    full: bool = False


def _log_problems(verdict: AuditVerdict, during: str) -> None:
    for problem in verdict.problems:
        log.critical(
            "audit log does not verify (%s): %s",
            during,
            problem.describe(),
            extra={"audit_problem": problem.kind.value, "sequence": problem.sequence},
        )


def checkpoint_head(
    uow: AbstractUnitOfWork, head: ChainHead | None, kind: CheckpointKind, note: str = ""
) -> Checkpoint:
    """Sign and keep a checkpoint of ``head``, a head that verified (entry 1 names the chain)."""
    with uow.reading():
        chain_start = uow.audit_log.hash_at(1) or GENESIS_HASH
    return uow.checkpoints.record(
        head,
        chain_start=chain_start,
        kind=kind,
        key=uow.audit_keys.ring().signing,
        note=note,
    )


def check_chain_at_start(
    cmd: CheckChainAtStart, *, uow: AbstractUnitOfWork, clock: Clock
) -> AuditVerdict:
    """The whole chain against the recorded head and the latest checkpoint; START checkpoint.

    The caller refuses to serve when the verdict is not ok.
    """
    del cmd, clock  # the check needs neither: it reads the chain, the key ring, the checkpoints
    history = uow.checkpoints.history(uow.audit_keys.ring())
    with uow.reading():
        verdict = full_verdict(uow, history)
    if not verdict.ok:
        _log_problems(verdict, "server start")
        return verdict
    checkpoint_head(uow, verdict.head, CheckpointKind.START)
    return verdict


def checkpoint_audit(
    cmd: CheckpointAudit, *, uow: AbstractUnitOfWork, clock: Clock
) -> AuditVerdict:
    """Verify what was appended since the latest checkpoint (or everything, ``full``), then
    checkpoint the head."""
    del clock
    history = uow.checkpoints.history(uow.audit_keys.ring())
    with uow.reading():
        verdict = full_verdict(uow, history) if cmd.full else incremental_verdict(uow, history)
    if not verdict.ok:
        _log_problems(verdict, "scheduled checkpoint")
        return verdict
    checkpoint_head(uow, verdict.head, cmd.kind)
    return verdict


def verify_audit(cmd: VerifyAudit, *, uow: AbstractUnitOfWork, clock: Clock) -> AuditVerdict:
    """Walk the whole log; if it verifies, record the verification and checkpoint the head.

    The walk is read-only. The verification's own entry is appended afterwards, in a write
    transaction that first checks the entries appended during the walk (so it links only to a
    head that verified). A broken log gets no entry: the failure is logged and returned.
    """
    authorize(cmd.actor, Action.AUDIT_VERIFY, _AUDIT)
    history = uow.checkpoints.history(uow.audit_keys.ring())
    with uow.reading():
        verdict = full_verdict(uow, history, progress=cmd.progress)
    if not verdict.ok:
        _log_problems(verdict, f"`thecal audit verify` by {cmd.actor.user_id}")
        return verdict
    with uow:
        head = uow.audit_log.head()  # locked: nothing is appended until this commits
        since = verify_chain(
            uow.audit_log.entries(after_sequence=verdict.head.sequence if verdict.head else 0),
            uow.audit_keys.ring(),
            anchor=head or _EMPTY_HEAD,
            after=verdict.head,
        )
        if since.first_break is not None:  # broken while we walked: write nothing
            broken = AuditVerdict(
                report=since,
                problems=(AuditProblem.of_break(since.first_break),),
                checkpoint=verdict.checkpoint,
            )
            _log_problems(broken, "`thecal audit verify`, entries appended during the walk")
            return broken
        entry = uow.audit.record(
            actor=cmd.actor,
            action=Action.AUDIT_VERIFY,
            subject=_AUDIT,
            at=clock.now(),
            details={
                "ok": True,
                "entries_checked": verdict.entries_checked + since.entries_checked,
                "checkpoint_sequence": verdict.checkpoint.sequence if verdict.checkpoint else None,
            },
        )
        uow.commit()
    checkpoint_head(uow, entry.head, CheckpointKind.VERIFY)
    return verdict
