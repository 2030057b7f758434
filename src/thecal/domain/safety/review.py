"""The safety review: a pure function from a review context to sorted findings and an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ReviewContext
from thecal.domain.safety.findings import Finding, Severity
from thecal.domain.safety.rules import ALL_RULES, Rule, RuleInput

__all__ = ["Outcome", "ReviewResult", "review"]


class Outcome(Enum):
    """What a proposal needs before it may go ahead."""

    PROCEED = "proceed"  # only info, or warnings the request acknowledged
    ACKNOWLEDGE = "acknowledge"  # warnings not yet acknowledged
    OVERRIDE = "override"  # documented reason and a second clinician
    BLOCKED = "blocked"  # a different proposal is needed


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewResult:
    """Findings, most serious first, and the warnings the proposer acknowledged."""

    findings: tuple[Finding, ...]
    acknowledged: frozenset[str] = frozenset()

    @property
    def outcome(self) -> Outcome:
        severities = {finding.severity for finding in self.findings}
        if Severity.BLOCK in severities:
            return Outcome.BLOCKED
        if Severity.OVERRIDE in severities:
            return Outcome.OVERRIDE
        if self.unacknowledged_warnings:
            return Outcome.ACKNOWLEDGE
        return Outcome.PROCEED

    @property
    def unacknowledged_warnings(self) -> tuple[Finding, ...]:
        return tuple(
            f
            for f in self.findings
            if f.severity is Severity.WARN and f.code not in self.acknowledged
        )

    def codes(self, severity: Severity | None = None) -> tuple[str, ...]:
        """Codes of the findings (of one severity if given), in order."""
        return tuple(f.code for f in self.findings if severity in (None, f.severity))

    def to_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "findings": [finding.to_dict() for finding in self.findings],
            "acknowledged": sorted(self.acknowledged),
        }


def review(
    context: ReviewContext,
    *,
    library: ReferenceLibrary,
    policy: ClinicPolicy,
    rules: tuple[Rule, ...] = ALL_RULES,
) -> ReviewResult:
    """Run every rule over ``context`` and return the findings, most serious first.

    Pure: no clock, no I/O; the same context, library and policy always give the same result.

    Args:
        context: the patient, pump, current therapy, proposal, action, time and proposer.
        library: the drug and device reference data the limits come from.
        policy: the clinic's choices where sources disagree.
        rules: the rules to run (all by default).

    Returns:
        The findings sorted by severity (block first), then code, then message.
    """
    subject = RuleInput(context=context, library=library, policy=policy)
    findings = [finding for each in rules for finding in each(subject)]
    findings.sort(key=lambda f: (f.severity.rank, f.code, f.message))
    return ReviewResult(findings=tuple(findings), acknowledged=context.acknowledged)
