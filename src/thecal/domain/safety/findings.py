"""Findings: what the safety review says about a proposal.

A finding has a stable code (``ITS-DOSE-001``), a severity, a message that states the numbers
with their units, the source key(s) of the rule and structured fields for machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

__all__ = ["Finding", "Severity"]


class Severity(Enum):
    """How much a finding holds a proposal back, most serious first.

    * ``block`` — cannot proceed; a different proposal is needed.
    * ``override`` — may proceed only with a documented reason and a second clinician.
    * ``warn`` — must be acknowledged.
    * ``info`` — for the record; nothing to do.
    """

    BLOCK = "block"
    OVERRIDE = "override"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for block up to 3 for info: sorting by rank puts the most serious first."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank  # block is the "greatest" severity


_RANK = {Severity.BLOCK: 0, Severity.OVERRIDE: 1, Severity.WARN: 2, Severity.INFO: 3}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One result of one rule."""

    code: str
    severity: Severity
    message: str
    source: str
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __repr__(self) -> str:
        return f"<Finding {self.code} {self.severity.value}: {self.message} [{self.source}]>"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source,
            "fields": dict(self.fields),
        }
