"""The safety review's findings as answered (most severe first), and written overrides as the domain
takes them.
"""

from __future__ import annotations

from collections.abc import Iterable

from thecal.domain.program_change import (
    FindingSeverity,
    FindingSummary,
    OverrideJustification,
)
from thecal.entrypoints.api.schemas.findings import FindingPublic, OverrideIn

__all__ = [
    "SEVERITY_ORDER",
    "finding_public",
    "findings_public",
    "overrides_of",
]

SEVERITY_ORDER = (
    FindingSeverity.BLOCK,
    FindingSeverity.OVERRIDE,
    FindingSeverity.WARN,
    FindingSeverity.INFO,
)


def finding_public(finding: FindingSummary) -> FindingPublic:
    return FindingPublic(
        code=finding.code,
        severity=finding.severity.value,
        message=finding.message,
        source=finding.source,
    )


def findings_public(findings: Iterable[FindingSummary]) -> list[FindingPublic]:
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
    return [finding_public(f) for f in ordered]


def overrides_of(given: Iterable[OverrideIn]) -> tuple[OverrideJustification, ...]:
    """The written overrides of a request, as the domain takes them."""
    return tuple(
        OverrideJustification(finding_code=o.finding_code, reason=o.reason, text=o.text)
        for o in given
    )
