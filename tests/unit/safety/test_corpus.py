"""The case corpus: every hazard caught at the right severity, no routine case above info."""

from __future__ import annotations

import pytest
from safety_cases import CASES, HAZARDS, ROUTINE, Case

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Severity, parse_review_request, review


def test_corpus_has_at_least_60_hazardous_and_40_routine_cases() -> None:
    assert len(HAZARDS) >= 60
    assert len(ROUTINE) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_gives_exactly_its_expected_findings(
    case: Case, library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    result = review(
        parse_review_request(case.request, library=library), library=library, policy=policy
    )
    assert {f.code: f.severity.value for f in result.findings} == case.expected
    if case.hazard:
        assert any(Severity(s) is not Severity.INFO for s in case.expected.values())
    else:
        assert all(f.severity is Severity.INFO for f in result.findings)
