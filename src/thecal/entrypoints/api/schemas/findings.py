"""The safety review's findings in answers, and a clinician's written override of one in requests."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
)

from thecal.domain.program_change import OverrideReason
from thecal.entrypoints.api.schemas.fields import (
    text_rule,
)

__all__ = [
    "FindingCode",
    "FindingPublic",
    "OverrideIn",
]

FindingCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,40}$")]


class FindingPublic(BaseModel):
    """A safety-review finding: stable code, severity, message with its numbers, source."""

    model_config = ConfigDict(extra="forbid")

    code: str
    severity: str
    message: str
    source: str


class OverrideIn(BaseModel):
    """A clinician's written reason for going past one ``override`` finding."""

    model_config = ConfigDict(extra="forbid")

    finding_code: FindingCode
    reason: OverrideReason
    text: Annotated[str, text_rule(2000, 1)]
