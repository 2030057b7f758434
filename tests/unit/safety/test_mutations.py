"""Mutation campaign: decimal shifts, extra/omitted zeros and mg↔mcg swaps applied to valid
prescriptions are all blocked or sent to override."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from safety_mutations import (
    MUTATIONS,
    TEMPLATES,
    campaign,
    extra_zero,
    mutate,
    omitted_zero,
    shift_left,
    shift_right,
    targets,
    unit_swap,
)

from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Outcome, parse_review_request, review

LIBRARY, POLICY = reference_library(), ClinicPolicy()
TEMPLATE = dict(TEMPLATES)


def _outcome(request: dict[str, object], library: ReferenceLibrary = LIBRARY) -> Outcome:
    return review(
        parse_review_request(request, library=library), library=library, policy=POLICY
    ).outcome


def test_mutations_change_the_number_as_their_names_say() -> None:
    assert shift_right("2.5 mg/day") == "25 mg/day"
    assert shift_left("25 mg/mL") == "2.5 mg/mL"
    assert shift_left("0.5 mg") == "0.05 mg"
    assert extra_zero("5 mg/day") == "50 mg/day"
    assert extra_zero("0.5 mg") == "0.05 mg"
    assert extra_zero("2.4 mcg/day") is None
    assert omitted_zero("300 mcg/day") == "30 mcg/day"
    assert omitted_zero("0.05 mg") == "0.5 mg"
    assert unit_swap("10 mg/mL") == "10 mcg/mL"
    assert unit_swap("300 mcg/day") == "300 mg/day"


def test_every_template_is_a_valid_routine_prescription() -> None:
    assert len(TEMPLATES) >= 25
    assert all(_outcome(request) is Outcome.PROCEED for _, request in TEMPLATES)


def test_the_campaign_mutates_switches_additions_and_intended_doses() -> None:
    names = [name for name, _ in TEMPLATES]
    assert sum(name.startswith("rotation ") for name in names) >= 3
    assert any("added to morphine" in name for name in names)
    paths = {(name, path) for name, path in targets()}
    switched = [p for n, p in paths if n.startswith("rotation ")]
    assert ("proposal", "prescription", "daily_dose") in switched
    assert any(p[-1] == "daily_dose" and "admixture" in p for _, p in paths)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(targets()), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_a_mutated_prescription_is_blocked_or_sent_to_override(
    target: tuple[str, tuple[str | int, ...]], mutation: str
) -> None:
    name, path = target
    mutated = mutate(TEMPLATE[name], path, mutation)
    assume(mutated is not None)
    assert mutated is not None
    assert _outcome(mutated) in (Outcome.BLOCKED, Outcome.OVERRIDE), (name, path, mutation)


def test_the_whole_campaign_blocks_or_overrides_every_mutation() -> None:
    missed = [
        (name, path, mutation)
        for name, path, mutation, request in campaign()
        if _outcome(request) not in (Outcome.BLOCKED, Outcome.OVERRIDE)
    ]
    assert missed == []
