"""Running the safety review inside a use case: findings, and a block before any state change."""

from __future__ import annotations

from thecal.domain.errors import SafetyBlocked
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program_change import FindingSummary
from thecal.domain.safety.context import ReviewContext
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.review import review

__all__ = ["ReviewBlocked", "review_or_block"]


class ReviewBlocked(SafetyBlocked):
    code = "THC-PUMP-010"
    template = "{action} blocked by the safety review: {summary}"

    #: The blocking findings themselves (edges list them with their codes).
    findings: tuple[FindingSummary, ...] = ()


def review_or_block(
    context: ReviewContext, *, action: str, policy: ClinicPolicy | None = None
) -> tuple[FindingSummary, ...]:
    """Review ``context``; raise :class:`ReviewBlocked` on any ``block`` finding.

    Returns every finding as a :class:`FindingSummary` (most serious first) for the record.
    """
    result = review(context, library=reference_library(), policy=policy or ClinicPolicy())
    blocks = [f for f in result.findings if f.severity is Severity.BLOCK]
    if blocks:
        blocked = ReviewBlocked(
            action=action, summary="; ".join(f"{f.code}: {f.message}" for f in blocks)
        )
        blocked.findings = tuple(FindingSummary.of(f) for f in blocks)
        raise blocked
    return tuple(FindingSummary.of(f) for f in result.findings)
