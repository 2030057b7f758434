"""The safety review's findings as JSON text, stored with a program change, a refill or a trial."""

from __future__ import annotations

import json
from collections.abc import Iterable

from thecal.adapters.program_codec import canonical_json
from thecal.domain.program_change import FindingSeverity, FindingSummary

__all__ = ["findings_from_json", "findings_json"]


def findings_json(findings: Iterable[FindingSummary]) -> str:
    return canonical_json(
        [
            {"code": f.code, "severity": f.severity.value, "message": f.message, "source": f.source}
            for f in findings
        ]
    )


def findings_from_json(text: str) -> tuple[FindingSummary, ...]:
    return tuple(
        FindingSummary(
            code=f["code"],
            severity=FindingSeverity(f["severity"]),
            message=f["message"],
            source=f["source"],
        )
        for f in json.loads(text)
    )
