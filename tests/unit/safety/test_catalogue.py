"""The rule catalogue: generated from the rules, committed in docs/safety-rules.md."""

from __future__ import annotations

from pathlib import Path

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import ALL_RULES
from thecal.domain.safety.catalogue import catalogue, catalogue_markdown

DOC = Path(__file__).parents[3] / "docs" / "safety-rules.md"


def test_committed_catalogue_matches_the_rules(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    expected = catalogue_markdown(library=library, policy=policy)
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/safety-rules.md is stale: run `python -m thecal.domain.safety.catalogue docs/safety-rules.md`"
    )


def test_every_rule_has_a_unique_code_a_threshold_and_a_source(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    entries = catalogue(library=library, policy=policy)
    codes = [entry.code for entry in entries]
    assert len(codes) == len(set(codes)) == len(ALL_RULES)
    assert all(entry.code.startswith("ITS-") for entry in entries)
    assert all(entry.threshold and entry.source and entry.checks for entry in entries)


def test_rule_repr_names_code_severity_and_function() -> None:
    assert repr(ALL_RULES[0]) == "<Rule ITS-DOSE-001 block concentration_beyond_hard_limit>"
