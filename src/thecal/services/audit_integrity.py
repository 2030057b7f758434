"""One verification of the audit log: the store's shape, the checkpoints, then the chain (SR-17).

Run inside an open unit of work (read-only is enough: nothing here writes). What is checked:

1. the tables exist (if not, nothing else can be read: named and stopped);
2. every append-only trigger is in place and enabled (a dropped guard is named);
3. the head row exists (a missing one is named; the walk then has no anchor);
4. every line of the checkpoint file verifies, and the checkpoints record this chain (entry 1);
5. the chain walks from entry 1 (``full_verdict``) or from the latest checkpoint
   (``incremental_verdict``, the schedule's cheap check) to the recorded head, through the
   latest checkpoint.

Every problem found is in the verdict, each named; nothing raises for a malformed store.
"""

from __future__ import annotations

from thecal.domain.audit import (
    GENESIS_HASH,
    AuditProblem,
    AuditVerdict,
    BreakReason,
    ChainBreak,
    ChainHead,
    ChainReport,
    Checkpoint,
    CheckpointHistory,
    ProblemKind,
    verify_chain,
)
from thecal.services.progress import Progress, counted
from thecal.services.repositories.audit import AuditStoreShape
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["full_verdict", "incremental_verdict", "store_problems"]

_EMPTY_HEAD = ChainHead(sequence=0, entry_hash=GENESIS_HASH)


def store_problems(shape: AuditStoreShape) -> list[AuditProblem]:
    """The tables, guards and head row, as problems."""
    problems = [
        AuditProblem(kind=ProblemKind.TABLE_MISSING, detail=f"table {table} does not exist")
        for table in shape.tables_missing
    ]
    problems += [
        AuditProblem(kind=ProblemKind.GUARD_MISSING, detail=guard) for guard in shape.guards_missing
    ]
    if not shape.tables_missing and not shape.head_present:
        problems.append(
            AuditProblem(
                kind=ProblemKind.HEAD_MISSING,
                detail="the audit_chain_head row is gone (the recorded head cannot be checked)",
            )
        )
    return problems


def _checkpoint_problems(
    uow: AbstractUnitOfWork, history: CheckpointHistory, latest: Checkpoint | None
) -> tuple[list[AuditProblem], Checkpoint | None]:
    """The file's bad lines, and ``latest`` to compare with (None if it is another chain's)."""
    problems = [AuditProblem(kind=ProblemKind.CHECKPOINTS, detail=p) for p in history.problems]
    if latest is None or latest.sequence == 0:
        return problems, latest
    first = uow.audit_log.hash_at(1)
    if first is not None and first != latest.chain_start:
        problems.append(
            AuditProblem(
                kind=ProblemKind.OTHER_CHAIN,
                detail=(
                    "the checkpoints record another chain (entry 1's hash differs): the "
                    "checkpoint file of another database, or entry 1 rewritten"
                ),
            )
        )
        return problems, None
    return problems, latest


def _notes(history: CheckpointHistory, location: str) -> tuple[str, ...]:
    if history.latest is None:
        return (f"no checkpoint yet at {location}: the next one is the first",)
    return ()


def _verdict(
    report: ChainReport | None,
    problems: list[AuditProblem],
    checkpoint: Checkpoint | None,
    notes: tuple[str, ...],
) -> AuditVerdict:
    if report is not None and report.first_break is not None:
        problems = [AuditProblem.of_break(report.first_break), *problems]
    return AuditVerdict(report=report, problems=tuple(problems), checkpoint=checkpoint, notes=notes)


def full_verdict(
    uow: AbstractUnitOfWork,
    history: CheckpointHistory,
    *,
    restored: bool = False,
    progress: Progress | None = None,
) -> AuditVerdict:
    """Every entry from the first, against the recorded head and the latest checkpoint.

    ``restored``: the database is a restored backup, expected to end before the latest
    checkpoint; it is compared with the latest checkpoint at or before its recorded head instead
    (the chain must be a prefix of the one the checkpoints saw). ``progress`` is told how many
    entries have been walked of how many the head says there are.
    """
    shape = uow.audit_log.inspect()
    problems = store_problems(shape)
    notes = _notes(history, uow.checkpoints.location)
    if shape.tables_missing:
        return _verdict(None, problems, None, notes)
    wanted = history.latest
    if restored:
        wanted = history.latest_at_or_below(shape.head.sequence if shape.head else 0)
    more, checkpoint = _checkpoint_problems(uow, history, wanted)
    problems += more
    anchor = (shape.head or _EMPTY_HEAD) if shape.head_present else None
    total = shape.head.sequence if shape.head else None
    report = verify_chain(
        counted(uow.audit_log.entries(), progress, total=total),
        uow.audit_keys.ring(),
        anchor=anchor,
        checkpoint=checkpoint.head if checkpoint else None,
    )
    return _verdict(report, problems, checkpoint, notes)


def incremental_verdict(uow: AbstractUnitOfWork, history: CheckpointHistory) -> AuditVerdict:
    """The entries after the latest checkpoint only (a full walk when there is none).

    The checkpoint's own entry must still be there with the checkpoint's hash; the entries after
    it must link to it and verify, up to the recorded head. Entries before it were verified when
    it was made (a full walk at every start and every ``thecal audit verify`` checks them again).
    """
    latest = history.latest
    if latest is None or latest.sequence == 0 or history.problems:
        return full_verdict(uow, history)
    shape = uow.audit_log.inspect()
    problems = store_problems(shape)
    if shape.tables_missing:
        return _verdict(None, problems, None, ())
    more, checkpoint = _checkpoint_problems(uow, history, latest)
    problems += more
    if checkpoint is None:
        return full_verdict(uow, history)
    start = checkpoint.head
    assert start is not None  # noqa: S101 - sequence > 0
    stored = uow.audit_log.hash_at(start.sequence)
    if stored != start.entry_hash:
        empty = stored is None and uow.audit_log.hash_at(1) is None
        reason = (
            BreakReason.WIPED
            if empty
            else BreakReason.TRUNCATED
            if stored is None
            else BreakReason.CHECKPOINT
        )
        broken = ChainBreak(
            position=0,
            sequence=start.sequence,
            reason=reason,
            detail=f"the checkpoint recorded sequence {start.sequence} with hash "
            f"{start.entry_hash[:12]}…; the database holds "
            + ("no such entry" if stored is None else f"{stored[:12]}…"),
        )
        report = ChainReport(entries_checked=0, head=None, first_break=broken)
        return _verdict(report, problems, checkpoint, ())
    anchor = (shape.head or _EMPTY_HEAD) if shape.head_present else None
    report = verify_chain(
        uow.audit_log.entries(after_sequence=start.sequence),
        uow.audit_keys.ring(),
        anchor=anchor,
        after=start,
    )
    return _verdict(report, problems, checkpoint, ())
