"""Rules whose behaviour depends on clinic policy, info findings, outcomes and findings."""

from __future__ import annotations

import dataclasses

from safety_builders import AT, discharge, mri, program_change, refill, rx
from safety_cases import MORPHINE_10, ZICO_25

from thecal.domain.drugs import TitrationPolicy
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Finding, Outcome, Severity, parse_review_request, review
from thecal.domain.safety.review import ReviewResult
from thecal.domain.units import DoseRate, Duration


def _review(
    request: dict[str, object], library: ReferenceLibrary, policy: ClinicPolicy
) -> ReviewResult:
    return review(parse_review_request(request, library=library), library=library, policy=policy)


def test_consensus_policy_limits_a_ziconotide_step_to_half_a_microgram_a_week(
    library: ReferenceLibrary,
) -> None:
    consensus = ClinicPolicy(titration_policy=TitrationPolicy.CONSENSUS)
    hazard = program_change(
        rx(ZICO_25, "2.4 mcg/day"), rx(ZICO_25, "3.4 mcg/day"), changed_days_ago=3
    )
    routine = program_change(
        rx(ZICO_25, "2.4 mcg/day"), rx(ZICO_25, "2.9 mcg/day"), changed_days_ago=8
    )
    assert _review(hazard, library, consensus).codes() == ("ITS-STEP-002", "ITS-STEP-004")
    assert _review(routine, library, consensus).codes() == ()


def test_eu_ziconotide_maximum_allows_21_6_mcg_per_day(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = program_change(
        rx(ZICO_25, "19.2 mcg/day"), rx(ZICO_25, "21.6 mcg/day"), changed_days_ago=7
    )
    eu = ClinicPolicy(
        ziconotide_max_daily_dose=DoseRate.from_mcg_per_day(
            DoseRate.from_mcg_per_day(216).value / 10
        )
    )
    assert "ITS-DOSE-003" in _review(request, library, policy).codes()
    assert _review(request, library, eu).codes() == ()


def test_consensus_observation_of_six_hours_allows_discharge_at_six_hours(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = discharge("morphine", "0.25 mg", after_hours=6)
    assert _review(request, library, policy).codes() == ("ITS-TRIAL-002",)
    assert (
        _review(request, library, ClinicPolicy(trial_observation=Duration.hours(6))).codes() == ()
    )


def test_a_flex_step_at_a_tenth_of_the_current_dose_is_blocked_even_when_the_average_is_unchanged(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    steps = [{"start": "0 h", "rate": "0.3 mg/day"}, {"start": "12 h", "rate": "7.7 mg/day"}]
    request = program_change(rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "", steps=steps))
    assert "ITS-GUARD-004" in _review(request, library, policy).codes(Severity.BLOCK)


def test_every_mri_creates_a_post_mri_interrogation_task(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    result = _review(mri("synchromed-ii-40", emptied=False), library, policy)
    (task,) = result.findings
    assert task.code == "ITS-MRI-002"
    assert task.fields["task"] == "post-mri-interrogation"
    assert result.outcome is Outcome.PROCEED


def test_unknown_stability_warns_beyond_the_clinics_default(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = refill(
        rx([{"drug": "hydromorphone", "concentration": "10 mg/mL"}], "3 mg/day"), next_days=45
    )
    result = _review(request, library, policy)
    assert result.codes() == ("ITS-REFILL-009",)
    assert result.outcome is Outcome.ACKNOWLEDGE
    assert "default of 30 days" in result.findings[0].message
    assert "S70" in result.findings[0].message
    longer = dataclasses.replace(policy, unknown_stability=Duration.days(60))
    assert _review(request, library, longer).codes() == ()


def test_acknowledged_warning_lets_the_proposal_proceed(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    unacknowledged = refill(rx(MORPHINE_10, "4 mg/day"), next_days=50)
    acknowledged = refill(
        rx(MORPHINE_10, "4 mg/day"), next_days=50, acknowledged=["ITS-REFILL-008"]
    )
    assert _review(unacknowledged, library, policy).outcome is Outcome.ACKNOWLEDGE
    assert _review(acknowledged, library, policy).outcome is Outcome.PROCEED


def test_findings_are_sorted_block_first_and_state_numbers_with_units(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = program_change(rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "40 mg/day"))
    result = _review(request, library, policy)
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks)
    assert result.outcome is Outcome.BLOCKED
    assert "40 mg/day" in result.findings[0].message
    assert "4 mg/day" in result.findings[0].message


def test_review_is_pure_and_repeatable(library: ReferenceLibrary, policy: ClinicPolicy) -> None:
    context = parse_review_request(
        refill(rx(MORPHINE_10, "4 mg/day"), aspiration=False), library=library
    )
    assert review(context, library=library, policy=policy) == review(
        context, library=library, policy=policy
    )
    assert context.at == AT


def test_severity_orders_block_above_info_and_finding_repr_is_readable() -> None:
    assert Severity.INFO < Severity.WARN < Severity.OVERRIDE < Severity.BLOCK
    finding = Finding(code="ITS-X-001", severity=Severity.WARN, message="12 mL", source="S1")
    assert repr(finding) == "<Finding ITS-X-001 warn: 12 mL [S1]>"
    assert dataclasses.is_dataclass(finding)
