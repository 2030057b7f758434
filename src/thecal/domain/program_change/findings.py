"""The safety review's findings as a program change keeps them, and the signer's answers to them.

A change with any ``block`` finding cannot be signed; each ``override`` finding needs a documented
reason code and text from the signer (SR-02), checked by :func:`check_overrides`; each ``warn``
finding must be acknowledged. :meth:`FindingSummary.of` reads the safety review's ``Finding``
structurally (:class:`FindingLike`), without importing it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from thecal.domain.actors import require_text
from thecal.domain.program_change.errors import OverrideNotDocumented

__all__ = [
    "FindingLike",
    "FindingSeverity",
    "FindingSummary",
    "OverrideJustification",
    "OverrideReason",
    "check_overrides",
]


class FindingSeverity(StrEnum):
    """The severities of the safety review (architecture.md §3), by their stored values."""

    BLOCK = "block"
    OVERRIDE = "override"
    WARN = "warn"
    INFO = "info"


class _SeverityLike(Protocol):
    @property
    def value(self) -> str: ...


class FindingLike(Protocol):
    """What this module needs of a safety finding (satisfied by the safety review's ``Finding``)."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> _SeverityLike: ...
    @property
    def message(self) -> str: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingSummary:
    """A safety finding as the program change keeps it."""

    code: str
    severity: FindingSeverity
    message: str
    source: str

    @classmethod
    def of(cls, finding: FindingLike) -> FindingSummary:
        """Summarise any finding whose severity value is one of block/override/warn/info."""
        return cls(
            code=finding.code,
            severity=FindingSeverity(finding.severity.value),
            message=finding.message,
            source=finding.source,
        )


class OverrideReason(StrEnum):
    """Documented reason codes for overriding a soft limit (SR-02). A clinic may extend them."""

    TOLERANCE_DOCUMENTED = "tolerance-documented"  # prior exposure shows the dose is tolerated
    PALLIATIVE_CARE = "palliative-care"  # end-of-life symptom control outweighs the limit
    SPECIALIST_ADVICE = "specialist-advice"  # documented advice from a specialist or pharmacist
    CLINICAL_JUDGEMENT = "clinical-judgement"  # the text explains the judgement


@dataclass(frozen=True, slots=True, kw_only=True)
class OverrideJustification:
    """The signer's documented reason for going past one ``override`` finding."""

    finding_code: str
    reason: OverrideReason
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", require_text(self.text, name="override reason text"))


def check_overrides(
    findings: Iterable[FindingSummary], overrides: Collection[OverrideJustification]
) -> None:
    """Require exactly one justification for each ``override`` finding among ``findings`` (SR-02).

    Raises:
        OverrideNotDocumented: a finding justified twice, a justification for no such override
            finding, or an override finding without one.
    """
    needed = {f.code for f in findings if f.severity is FindingSeverity.OVERRIDE}
    given = [o.finding_code for o in overrides]
    if len(given) != len(set(given)):
        raise OverrideNotDocumented(
            codes=", ".join(sorted(given)), detail="one justification per finding"
        )
    extra = sorted(set(given) - needed)
    if extra:
        raise OverrideNotDocumented(
            codes=", ".join(extra), detail="no such override finding in the review"
        )
    missing = sorted(needed - set(given))
    if missing:
        raise OverrideNotDocumented(
            codes=", ".join(missing),
            detail="each needs a documented reason code and text (SR-02)",
        )
