"""Every rule has a hazardous case that fires it and a routine case beside it that does not."""

from __future__ import annotations

import pytest
from safety_cases import CASES

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import ALL_RULES, Severity, parse_review_request, review
from thecal.domain.safety.rules import Rule

#: rule code → (hazardous case, routine case of the same kind)
PAIRS: dict[str, tuple[str, str]] = {
    "ITS-DOSE-001": (
        "morphine concentration with an extra zero (25 → 250 mg/mL)",
        "morphine 25 mg/mL steady-state refill in a 40 mL pump (no granuloma alarm at an unchanged concentration)",
    ),
    "ITS-DOSE-002": (
        "hydromorphone concentration raised to 20 mg/mL (soft limit 15)",
        "hydromorphone already in the pump +20 %",
    ),
    "ITS-DOSE-003": (
        "ziconotide 21.6 mcg/day under the US label policy",
        "ziconotide +2.4 mcg/day three days after the last step (label)",
    ),
    "ITS-DOSE-004": (
        "baclofen above the usual maintenance maximum (700 → 840 mcg/day)",
        "baclofen 2000 mcg/mL +10 % in a 40 mL pump",
    ),
    "ITS-DOSE-005": (
        "clonidine added to morphine at 200 mcg/day (start 20–100 mcg/day)",
        "ziconotide 1 mcg/day added to morphine (inside its starting range)",
    ),
    "ITS-DOSE-007": (
        "morphine new start 5 mg/day in an opioid-naive patient",
        "morphine new start 0.5 mg/day in an opioid-naive patient",
    ),
    "ITS-DOSE-008": (
        "fentanyl raised to 800 mcg/day (no known maximum; above morphine's in equivalents)",
        "fentanyl +20 %",
    ),
    "ITS-GUARD-006": (
        "clonidine added to morphine at 10 × the top of its starting range",
        "ziconotide 1 mcg/day added to morphine (inside its starting range)",
    ),
    "ITS-GUARD-007": (
        "baclofen start with the screening dose typed as 500 mcg",
        "baclofen new start 100 mcg/day for a 9-year-old after a 50 mcg screening dose",
    ),
    "ITS-ROT-001": (
        "switch morphine 2 mg/day → sufentanil 1 mg/day (about 50 × in morphine terms)",
        "rotation hydromorphone 0.6 mg/day → morphine 2 mg/day (a third below the equivalent)",
    ),
    "ITS-ROT-002": (
        "rotation hydromorphone 0.6 mg/day → morphine 6 mg/day without a reduction",
        "rotation fentanyl 500 mcg/day → morphine 6 mg/day (25 % below the equivalent)",
    ),
    "ITS-ROT-003": (
        "rotation hydromorphone 10 mg/mL → morphine 1 mg/mL (a tenth in morphine terms)",
        "rotation hydromorphone 10 mg/mL → morphine 10 mg/mL at a reduced dose",
    ),
    "ITS-STEP-008": (
        "clonidine taken out of a morphine admixture at once",
        "bupivacaine (low withdrawal risk) taken out of a morphine admixture",
    ),
    "ITS-CONC-003": (
        "clonidine intended at 10.8 mcg/day, the admixture delivers 108",
        "triple admixture +20 % with each component's intended dose stated and matching",
    ),
    "ITS-CONC-004": (
        "refill admixture verified by a nurse",
        "refill verified by the pharmacist by name",
    ),
    "ITS-REFILL-010": (
        "first ziconotide fill of a naive pump at 100 mcg/mL",
        "ziconotide first fill of a naive pump, next in 13 days",
    ),
    "ITS-REFILL-011": (
        "first ziconotide fill with the rinses not recorded",
        "ziconotide first fill of a naive pump, next in 13 days",
    ),
    "ITS-REFILL-012": (
        "refill with no expected or measured residual",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-WDRAW-001": (
        "baclofen refill, T4 injury, next in 60 days for a pump empty on day 25",
        "baclofen refill, next in 20 days, before the alarm on day 22.5",
    ),
    "ITS-WDRAW-002": (
        "baclofen +10 % with the low-reservoir alarm before the refill on record",
        "baclofen +10 % with the refill on record before the new alarm date",
    ),
    "ITS-PRIME-001": (
        "catheter revision primed with the pump path too (pushes 5 mg of morphine)",
        "catheter revision: priming the catheter only (measured 0.12 mL)",
    ),
    "ITS-PRIME-002": (
        "catheter revision primed 0.15 mL for a 0.117 mL catheter (0.33 mg morphine)",
        "catheter revision: priming the catheter only (measured 0.12 mL)",
    ),
    "ITS-PRIME-003": (
        "implant primed with 0.1 mL of a 0.317 mL dead space",
        "implant: priming catheter and pump path with morphine 25 mg/mL",
    ),
    "ITS-MON-001": (
        "morphine start in an opioid-naive patient with no monitoring plan",
        "morphine new start 0.5 mg/day in an opioid-naive patient",
    ),
    "ITS-MON-002": (
        "morphine trial with naloxone not available",
        "morphine trial with naloxone at hand",
    ),
    "ITS-RISK-001": (
        "morphine +20 % with benzodiazepines",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-RISK-002": (
        "morphine start with sleep apnoea",
        "morphine new start 0.5 mg/day in an opioid-naive patient",
    ),
    "ITS-RISK-003": (
        "morphine +20 % at 72",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-RISK-004": (
        "morphine +20 % with renal impairment",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-RISK-005": (
        "morphine +20 % in pregnancy",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-RISK-006": (
        "triple admixture +20 % with hypotension recorded (clonidine)",
        "morphine-bupivacaine-clonidine admixture +20 %",
    ),
    "ITS-RISK-007": (
        "triple admixture +20 % with urinary retention recorded (bupivacaine)",
        "morphine-bupivacaine-clonidine admixture +20 %",
    ),
    "ITS-RISK-008": (
        "ziconotide +2.4 mcg/day with hallucinations recorded",
        "ziconotide +2.4 mcg/day three days after the last step (label)",
    ),
    "ITS-RISK-009": (
        "ziconotide start with no monitoring plan recorded",
        "ziconotide new start 1.2 mcg/day (pump minimum flow)",
    ),
    "ITS-RISK-010": (
        "morphine start with no endocrine check recorded",
        "morphine new start 0.5 mg/day in an opioid-naive patient",
    ),
    "ITS-TRIAL-003": (
        "trial discharge with no sedation score recorded",
        "discharge 24 h after a morphine trial",
    ),
    "ITS-TRIAL-004": ("trial discharge breathing 8/min", "discharge 30 h after a morphine trial"),
    "ITS-GRAN-003": (
        "morphine +20 % with signs of a catheter-tip mass",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-GRAN-004": (
        "morphine refill with signs of a catheter-tip mass",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-REFILL-009": (
        "hydromorphone refill after 45 days (unknown stability; clinic default 30)",
        "hydromorphone refill within the clinic's default for unknown stability",
    ),
    "ITS-DOSE-006": (
        "worst case with every morphine bolus above 15 mg/day",
        "morphine patient bolus 0.1 mg four times a day added",
    ),
    "ITS-BOLUS-001": (
        "patient bolus programmed for baclofen",
        "baclofen spinal origin +20 % three days after the last change",
    ),
    "ITS-STEP-001": (
        "baclofen spinal origin +40 % in one step",
        "baclofen spinal origin +20 % three days after the last change",
    ),
    "ITS-STEP-002": (
        "morphine non-cancer +50 % in one step",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-STEP-003": (
        "ziconotide increase one day after the last one",
        "ziconotide +2.4 mcg/day three days after the last step (label)",
    ),
    "ITS-STEP-005": ("baclofen cut by two thirds in one change", "morphine reduced by 20 %"),
    "ITS-STEP-006": (
        "ziconotide increase with the last change time unknown",
        "ziconotide +2.4 mcg/day three days after the last step (label)",
    ),
    "ITS-STEP-007": (
        "morphine patient bolus with an extra zero (0.1 → 1 mg)",
        "morphine patient bolus 0.1 mg four times a day added",
    ),
    "ITS-GUARD-001": (
        "morphine daily dose typed with an extra zero (4 → 40 mg/day)",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-GUARD-002": (
        "morphine concentration with an omitted zero (10 → 1 mg/mL)",
        "morphine refill moving from 10 to 15 mg/mL at the same dose",
    ),
    "ITS-GUARD-003": (
        "morphine patient bolus entered in mcg (0.1 mg → 0.1 mcg)",
        "morphine bolus dose lowered from 0.2 to 0.15 mg",
    ),
    "ITS-GUARD-005": (
        "new morphine patient bolus entered in mcg (0.1 mcg instead of 0.1 mg)",
        "morphine patient bolus 0.1 mg four times a day added",
    ),
    "ITS-CONC-001": (
        "refill: programmed concentration 1 mg/mL for a 10 mg/mL fill",
        "refill with the programmed concentration entered and matching",
    ),
    "ITS-CONC-002": (
        "refill without pharmacy verification",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-PUMP-001": (
        "ziconotide new start in a Prometra II (labeled for morphine only)",
        "ziconotide new start 1.2 mcg/day (pump minimum flow)",
    ),
    "ITS-PUMP-002": (
        "morphine 25 mg/mL at 0.5 mg/day: flow below the SynchroMed minimum",
        "morphine new start 0.5 mg/day in an opioid-naive patient",
    ),
    "ITS-PUMP-003": ("refill: pump past its ERI", "morphine 10 mg/mL refill, next in 30 days"),
    "ITS-PUMP-004": (
        "refill: next refill after the pump's end of service",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-MRI-001": (
        "MRI with a Prometra II that was not emptied",
        "MRI with an emptied Prometra II",
    ),
    "ITS-REFILL-001": (
        "refill: 40 mL into a 20 mL reservoir",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-REFILL-002": (
        "refill: diluted ziconotide next refill after 50 days (stability 40 days)",
        "ziconotide diluted 5 mcg/mL refill, next in 30 days",
    ),
    "ITS-REFILL-003": (
        "refill: first ziconotide fill with the next refill after 30 days",
        "ziconotide first fill of a naive pump, next in 13 days",
    ),
    "ITS-REFILL-004": (
        "refill: aspiration not confirmed",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-REFILL-005": (
        "refill: hydromorphone next refill after 200 days (clinic maximum 180)",
        "hydromorphone refill within the clinic's default for unknown stability",
    ),
    "ITS-REFILL-006": (
        "refill: baclofen, SCI at T4, alarm left at 2 mL",
        "baclofen refill, high withdrawal risk with the alarm at 4 mL",
    ),
    "ITS-REFILL-007": (
        "refill: 1.5 mL less than expected in a 20 mL pump (possible pocket fill)",
        "morphine refill with a 0.8 mL discrepancy (below the 1 mL threshold)",
    ),
    "ITS-REFILL-013": (
        "refill: the nurse read 3.5 mL withdrawn, the pump measured 2 mL (20 mL pump)",
        "refill: the nurse's readings agree with the pump (2.4 mL withdrawn, 19.5 mL injected)",
    ),
    "ITS-REFILL-008": (
        "refill: next refill after the projected low-reservoir alarm",
        "morphine 10 mg/mL refill, next in 30 days",
    ),
    "ITS-CONTRA-001": ("ziconotide trial with a history of psychosis", "ziconotide trial 2.5 mcg"),
    "ITS-CONTRA-002": ("morphine trial with an active infection", "morphine trial 0.25 mg"),
    "ITS-CONTRA-003": (
        "implant with an uncontrolled bleeding diathesis",
        "implant, no contraindication",
    ),
    "ITS-CONTRA-004": (
        "implant on anticoagulation without a plan",
        "implant on anticoagulation with a hold/restart plan",
    ),
    "ITS-ROLE-001": ("a nurse proposes a new start", "nurse proposes a morphine +10 % change"),
    "ITS-TRIAL-001": (
        "morphine trial dose typed with an extra zero (0.5 → 5 mg)",
        "morphine trial 0.25 mg",
    ),
    "ITS-TRIAL-002": (
        "discharge 6 h after a morphine trial (policy 24 h)",
        "discharge 24 h after a morphine trial",
    ),
    "ITS-GRAN-001": (
        "morphine up 75 % in a year",
        "morphine non-cancer +25 % a month after the last change",
    ),
    "ITS-GRAN-002": (
        "morphine new start at 25 mg/mL",
        "morphine 25 mg/mL steady-state refill in a 40 mL pump (no granuloma alarm at an unchanged concentration)",
    ),
}
#: Rules covered by dedicated tests in test_rule_details.py (info findings, policy-dependent).
ELSEWHERE = {"ITS-STEP-004", "ITS-GUARD-004", "ITS-MRI-002", "ITS-PRIME-004"}
BY_NAME = {case.name: case for case in CASES}


def _codes(name: str, library: ReferenceLibrary, policy: ClinicPolicy) -> set[str]:
    request = BY_NAME[name].request
    result = review(parse_review_request(request, library=library), library=library, policy=policy)
    return set(result.codes())


def test_every_rule_has_a_hazardous_and_a_routine_case() -> None:
    assert {rule.code for rule in ALL_RULES} == set(PAIRS) | ELSEWHERE


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.code in PAIRS], ids=lambda r: r.code)
def test_rule_fires_on_its_hazard_and_stays_quiet_on_the_routine_case_beside_it(
    rule: Rule, library: ReferenceLibrary, policy: ClinicPolicy
) -> None:
    hazardous, routine = PAIRS[rule.code]
    assert rule.code in _codes(hazardous, library, policy)
    assert rule.code not in _codes(routine, library, policy)
    assert not BY_NAME[routine].hazard
    assert rule.severity is not Severity.INFO
