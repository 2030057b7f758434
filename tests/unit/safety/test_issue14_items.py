"""Issue 14, the clinical audit's reproductions replayed as review requests: each gets the right
answer, with its source in the message. (Calculators: tests/e2e/test_cli_calc.py; trial and
outcome rules: tests/unit/domain.)"""

from __future__ import annotations

from safety_builders import (
    MONITORED,
    catheter_revision,
    discharge,
    mix,
    new_start,
    patient,
    program_change,
    pump,
    refill,
    rx,
    spasticity_patient,
)

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Finding, Outcome, Severity, parse_review_request, review
from thecal.domain.safety.review import ReviewResult
from thecal.domain.units import Concentration, Volume

M2 = rx(mix(("morphine", "10 mg/mL")), "2 mg/day")


def _review(
    request: dict[str, object], library: ReferenceLibrary, policy: ClinicPolicy
) -> ReviewResult:
    return review(parse_review_request(request, library=library), library=library, policy=policy)


def _finding(result: ReviewResult, code: str) -> Finding:
    return next(f for f in result.findings if f.code == code)


# ---------------------------------------------------------------------------------- item 1


def test_item_1_a_switch_to_sufentanil_or_fentanyl_from_morphine_2_mg_is_blocked(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    for new in (
        rx(mix(("sufentanil", "1000 mcg/mL")), "1 mg/day"),
        rx(mix(("fentanyl", "1000 mcg/mL")), "2000 mcg/day"),
    ):
        result = _review(program_change(M2, new), library, policy)
        assert result.outcome is Outcome.BLOCKED
        rotation = _finding(result, "ITS-ROT-001")
        assert "ext:KIM2019" in rotation.message
        assert "intrathecal morphine equivalents" in rotation.message
        assert "no daily maximum is known (S2 [U])" in _finding(result, "ITS-DOSE-008").message


def test_item_1_hydromorphone_2_mg_from_morphine_2_mg_needs_the_rotation_override(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    new = rx(mix(("hydromorphone", "2 mg/mL")), "2 mg/day")
    result = _review(program_change(M2, new), library, policy)
    assert result.outcome is Outcome.OVERRIDE
    rotation = _finding(result, "ITS-ROT-002")
    assert "10 mg/day–12 mg/day" in rotation.message  # 2 mg × 5–6 (S15)
    assert "S15" in rotation.message
    assert "at most 1.5 mg/day" in rotation.message  # 25 % below 2 mg/day


def test_item_1_clonidine_added_at_200_to_400_mcg_a_day_is_a_new_start_of_clonidine(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    for concentration, dose in (("1000 mcg/mL", "200 mcg/day"), ("2000 mcg/mL", "400 mcg/day")):
        # morphine 10 mg/mL at 2 mg/day runs at 0.2 mL/day
        new = rx(mix(("morphine", "10 mg/mL"), ("clonidine", concentration)), "2 mg/day")
        result = _review(program_change(M2, new), library, policy)
        start = _finding(result, "ITS-DOSE-005")
        assert start.severity is Severity.OVERRIDE
        assert dose in start.message
        assert "starting range 20 mcg/day–100 mcg/day (S1 [U])" in start.message
        assert "new to the pump" in start.message


# ---------------------------------------------------------------------------------- item 2


def test_item_2_baclofen_700_mcg_a_day_for_an_8_year_old_is_blocked_with_the_childrens_limit(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = new_start(
        rx(mix(("baclofen", "2000 mcg/mL")), "700 mcg/day"),
        patient_=spasticity_patient("cerebral", age_years=8, weight_kg="24"),
    )
    result = _review(request, library, policy)
    assert result.outcome is Outcome.BLOCKED
    assert "2 × the largest screening dose 100 mcg" in _finding(result, "ITS-DOSE-007").message
    child = _finding(result, "ITS-DOSE-004")
    assert "children under 12" in child.message
    assert "(≈ 29.2 mcg/kg/day at 24 kg)" in child.message  # weight shown, no per-kg limit
    assert "300 mcg/day (S16 [C])" in child.message


def test_item_2_the_phase_decides_the_baclofen_step_limit(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    old, new = (
        rx(mix(("baclofen", "500 mcg/mL")), "300 mcg/day"),
        rx(mix(("baclofen", "500 mcg/mL")), "405 mcg/day"),
    )
    spinal = spasticity_patient()
    titration = _review(
        program_change(old, new, patient_=spinal, phase="titration"), library, policy
    )
    maintenance = _review(
        program_change(old, new, patient_=spinal, phase="maintenance"), library, policy
    )
    assert "S19" in _finding(titration, "ITS-STEP-001").message
    assert maintenance.outcome is Outcome.PROCEED


# ---------------------------------------------------------------------------------- item 3


def test_item_3_a_baclofen_refill_after_the_pump_runs_low_is_blocked(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    request = refill(
        rx(mix(("baclofen", "500 mcg/mL")), "400 mcg/day"),
        next_days=60,
        patient_=spasticity_patient(spinal_cord_injury_level="T4"),
    )
    result = _review(request, library, policy)
    assert result.outcome is Outcome.BLOCKED
    blocked = _finding(result, "ITS-WDRAW-001")
    assert "boxed withdrawal warning, S18, S35b [C]" in blocked.message
    assert "22.5 days" in blocked.message  # (20 − 2) mL ÷ 0.8 mL/day


# ---------------------------------------------------------------------------------- item 4


def test_item_4_ziconotide_start_first_fill_and_admixture_stability(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    start = _review(
        new_start(rx(mix(("ziconotide", "25 mcg/mL")), "19.2 mcg/day")), library, policy
    )
    assert start.outcome is Outcome.BLOCKED
    assert "2.4 mcg/day" in _finding(start, "ITS-DOSE-007").message
    first = _review(
        refill(
            rx(mix(("ziconotide", "100 mcg/mL")), "2.4 mcg/day"),
            next_days=13,
            first_fill=True,
            rinses=3,
            expected=None,
            measured=None,
        ),
        library,
        policy,
    )
    assert "25 mcg/mL alone (S12 [C])" in _finding(first, "ITS-REFILL-010").message
    admixed = _review(
        refill(
            rx(mix(("morphine", "10 mg/mL"), ("ziconotide", "25 mcg/mL")), "4 mg/day"), next_days=60
        ),
        library,
        policy,
    )
    stability = _finding(admixed, "ITS-REFILL-002")
    assert "in an admixture stability of 40 days (S12 [C])" in stability.message


# ---------------------------------------------------------------------------------- item 5


def test_item_5_a_catheter_revision_primes_the_catheter_only_and_states_the_drug(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    catheter = {"model": "indura-1p-8709sc", "implanted_length_cm": "45"}
    morphine_25 = rx(mix(("morphine", "25 mg/mL")), "5 mg/day")
    wrong = _review(
        catheter_revision(
            morphine_25, priming={"mode": "after-implant"}, pump_=pump(catheter=catheter)
        ),
        library,
        policy,
    )
    assert wrong.outcome is Outcome.BLOCKED
    assert "morphine 5 mg" in _finding(wrong, "ITS-PRIME-001").message  # 0.2 mL × 25 mg/mL
    right = _review(
        catheter_revision(
            morphine_25, priming={"mode": "after-catheter-revision"}, pump_=pump(catheter=catheter)
        ),
        library,
        policy,
    )
    assert right.outcome is Outcome.PROCEED
    statement = _finding(right, "ITS-PRIME-004").message
    assert "0.117 mL" in statement  # 45 cm × 0.0026 mL/cm
    assert "morphine 2.925 mg" in statement
    assert "(S53)" in statement


# ---------------------------------------------------------------------------------- item 6


def test_item_6_a_refill_without_reconciliation_needs_an_override(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    result = _review(refill(M2, expected=None, measured=None), library, policy)
    assert result.outcome is Outcome.OVERRIDE
    assert "S75" in _finding(result, "ITS-REFILL-012").message
    unknown = _review(
        refill(rx(mix(("sufentanil", "100 mcg/mL")), "20 mcg/day"), next_days=60),
        library,
        policy,
    )
    assert _finding(unknown, "ITS-REFILL-009").severity is Severity.WARN


# ---------------------------------------------------------------------------------- item 7


def test_item_7_starting_ranges_agree_with_their_sources(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    pacc = new_start(rx(mix(("morphine", "1 mg/mL")), "0.1 mg/day"))
    assert _review(pacc, library, policy).outcome is Outcome.PROCEED
    tolerant = patient()
    label = _review(
        new_start(rx(mix(("morphine", "10 mg/mL")), "12 mg/day"), patient_=tolerant),
        library,
        policy,
    )
    assert "(S3 [C])" in _finding(label, "ITS-DOSE-007").message
    # hydromorphone for a tolerant patient: morphine's 1–10 mg/day label range at 6:1
    hydro = mix(("hydromorphone", "2 mg/mL"))
    inside = _review(new_start(rx(hydro, "1 mg/day"), patient_=tolerant), library, policy)
    assert "ITS-DOSE-005" not in inside.codes()
    above = _review(new_start(rx(hydro, "3 mg/day"), patient_=tolerant), library, policy)
    assert "at 5–6:1 (S15 [D])" in _finding(above, "ITS-DOSE-005").message


# ---------------------------------------------------------------------------------- item 8


def test_item_8_discharge_needs_a_sedation_score_and_breathing_above_the_thresholds(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    missing = _review(
        discharge("morphine", "0.25 mg", after_hours=24, latest=None), library, policy
    )
    assert missing.outcome is Outcome.BLOCKED
    assert "ITS-TRIAL-003" in missing.codes()
    slow = _review(
        discharge(
            "morphine", "0.25 mg", after_hours=24, latest={"sedation": "1", "respiratory_rate": 8}
        ),
        library,
        policy,
    )
    assert "(S39)" in _finding(slow, "ITS-TRIAL-004").message


def test_item_8_an_opioid_start_in_a_naive_patient_asks_for_monitoring_and_naloxone(
    library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    start = rx(mix(("morphine", "1 mg/mL")), "0.5 mg/day")
    without = _review(new_start(start, monitoring=None), library, policy)
    monitoring = _finding(without, "ITS-MON-001")
    assert monitoring.severity is Severity.OVERRIDE
    assert "S3" in monitoring.message
    assert "naloxone" in monitoring.message
    assert (
        _review(new_start(start, monitoring=MONITORED), library, policy).outcome is Outcome.PROCEED
    )


# ---------------------------------------------------------------------------------- item 11


def test_item_11_patient_facts_reach_rules(library: ReferenceLibrary, policy: ClinicPolicy) -> None:
    up = (M2, rx(mix(("morphine", "10 mg/mL")), "2.4 mg/day"))
    facts = {
        "sedatives": "ITS-RISK-001",
        "copd": "ITS-RISK-002",
        "hepatic_impairment": "ITS-RISK-004",
        "pregnant": "ITS-RISK-005",
        "granuloma_signs": "ITS-GRAN-003",
    }
    for fact, code in facts.items():
        result = _review(program_change(*up, patient_=patient(risk={fact: True})), library, policy)
        assert result.codes() == (code,), fact
    older = _review(program_change(*up, patient_=patient(age_years=66)), library, policy)
    assert older.codes() == ("ITS-RISK-003",)


# ---------------------------------------------------------------------------------- item 12


def test_item_12_the_data_corrections(library: ReferenceLibrary) -> None:
    baclofen = library.drug("baclofen")
    assert Concentration.from_mcg_per_ml(1000) in [s.value for s in baclofen.strengths]
    assert all(limit.severity.value == "soft" for limit in baclofen.daily_maxima())
    hydromorphone = library.drug("hydromorphone")
    watch = hydromorphone.granuloma_watch_concentration
    soft = [limit for limit in hydromorphone.limits if limit.quantity.value == "concentration"]
    assert watch is not None
    assert watch.value < soft[0].limit.value  # the watch can fire before the override
    clonidine = library.drug("clonidine").withdrawal_risk
    assert "rebound hypertension" in clonidine.note
    assert clonidine.source == "ext:DURACLON"
    prometra = library.pump("prometra-ii-20")
    assert prometra.refill_planning_volume is not None
    assert prometra.refill_planning_volume.value == Volume.from_ml(3)
    assert prometra.refill_planning_volume.source == "S66"
    assert prometra.low_reservoir_alarm.confidence.value == "A"
