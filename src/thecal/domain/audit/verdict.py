"""Everything one verification of the audit log found: the chain walk and the store around it.

The walk (:func:`~thecal.domain.audit.verification.verify_chain`) names the first bad entry; the
store can be wrong in ways no entry shows: a table or the head row gone, an append-only trigger
dropped or disabled, a checkpoint file whose lines do not verify or that records another chain.
Each is an :class:`AuditProblem` with a stable kind; the verdict is ok only when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.audit.chain import ChainHead
from thecal.domain.audit.checkpoints import Checkpoint
from thecal.domain.audit.verification import BreakReason, ChainBreak, ChainReport
from thecal.domain.errors import WorkflowError

__all__ = ["AuditChainBroken", "AuditProblem", "AuditVerdict", "ProblemKind"]


class AuditChainBroken(WorkflowError):
    """Refused: the audit log does not verify, so nothing is appended to it."""

    code = "THC-AUDIT-008"
    template = "the audit log does not verify, so nothing was written: {problems}"


class ProblemKind(StrEnum):
    CHAIN = "chain"  # the walk's first bad entry (see its BreakReason)
    TABLE_MISSING = "table-missing"  # audit_entries or audit_chain_head is gone
    HEAD_MISSING = "head-missing"  # the audit_chain_head row is gone
    GUARD_MISSING = "guard-missing"  # an append-only trigger dropped, disabled or rewritten
    CHECKPOINTS = "checkpoints"  # lines of the checkpoint file that do not verify
    OTHER_CHAIN = "other-chain"  # the checkpoints record another chain (entry 1 differs)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditProblem:
    kind: ProblemKind
    detail: str
    sequence: int | None = None
    position: int | None = None
    reason: BreakReason | None = None

    @classmethod
    def of_break(cls, broken: ChainBreak) -> AuditProblem:
        return cls(
            kind=ProblemKind.CHAIN,
            detail=broken.detail,
            sequence=broken.sequence,
            position=broken.position,
            reason=broken.reason,
        )

    def describe(self) -> str:
        """One line for a person: which entry or part, what is wrong."""
        if self.reason is not None:
            return (
                f"audit chain BROKEN at entry sequence {self.sequence} "
                f"(position {self.position}): {self.reason.value}; {self.detail}"
            )
        return f"audit log {self.kind.value}: {self.detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditVerdict:
    """The walk's report (None when the tables could not be read), the problems, the checkpoint
    compared with, and notes that are not failures (for example: no checkpoint yet)."""

    report: ChainReport | None
    problems: tuple[AuditProblem, ...] = ()
    checkpoint: Checkpoint | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def entries_checked(self) -> int:
        return self.report.entries_checked if self.report else 0

    @property
    def head(self) -> ChainHead | None:
        return self.report.head if self.report else None

    @property
    def first_break(self) -> ChainBreak | None:
        return self.report.first_break if self.report else None

    def refuse(self) -> None:
        """Raise :class:`AuditChainBroken` naming every problem, unless the verdict is ok."""
        if self.problems:
            raise AuditChainBroken(problems="; ".join(p.describe() for p in self.problems))
