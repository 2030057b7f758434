"""The safety review: dose-error reduction for intrathecal programs, refills and trials.

``review(context, library=..., policy=...)`` runs every rule of :mod:`.rules` over a
:class:`ReviewContext` and returns a :class:`ReviewResult` (findings, most serious first, and an
outcome). :func:`parse_review_request` reads the JSON request format of
``docs/review-format.md``.
"""

from __future__ import annotations

from thecal.domain.safety.context import ActionKind, ReviewContext
from thecal.domain.safety.findings import Finding, Severity
from thecal.domain.safety.request import parse_review_request, parse_review_request_text
from thecal.domain.safety.review import Outcome, ReviewResult, review
from thecal.domain.safety.rules import ALL_RULES

__all__ = [
    "ALL_RULES",
    "ActionKind",
    "Finding",
    "Outcome",
    "ReviewContext",
    "ReviewResult",
    "Severity",
    "parse_review_request",
    "parse_review_request_text",
    "review",
]
