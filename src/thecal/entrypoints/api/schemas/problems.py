"""The problem document (RFC 9457) every API error answers with, carrying thecal's stable code."""

from __future__ import annotations

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    Out,
)

__all__ = [
    "Problem",
    "ProblemFinding",
]


class ProblemFinding(Out):
    code: str
    severity: str
    message: str
    source: str


class Problem(Out):
    """An RFC 9457 problem document with thecal's stable error code."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable thecal error code, e.g. THC-PAT-002.")
    instance: str
    fields: dict[str, str] = Field(default_factory=dict)
    findings: list[ProblemFinding] = Field(default_factory=list)
