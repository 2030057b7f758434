"""Corpus cases of issue 14: trial discharge and respiratory monitoring, priming boluses, refill
reconciliation and verification, intended component doses, and the patient risk facts."""

from __future__ import annotations

from safety_builders import (
    MONITORED,
    Case,
    catheter_revision,
    discharge,
    implant,
    mix,
    new_start,
    patient,
    program_change,
    pump,
    refill,
    rx,
    trial,
)

B, O, W, I = "block", "override", "warn", "info"  # noqa: E741 - one-letter severities keep the table readable

MORPHINE_10 = mix(("morphine", "10 mg/mL"))
MORPHINE_25 = mix(("morphine", "25 mg/mL"))
M1 = mix(("morphine", "1 mg/mL"))
M4 = rx(MORPHINE_10, "4 mg/day")
ZICO_25 = mix(("ziconotide", "25 mcg/mL"))
TRIPLE = mix(("morphine", "10 mg/mL"), ("bupivacaine", "15 mg/mL"), ("clonidine", "300 mcg/mL"))
CATHETER = {"model": "indura-1p-8709sc", "implanted_length_cm": "45"}


def _intended(clonidine: str) -> dict[str, object]:
    return {
        "admixture": [
            {"drug": "morphine", "concentration": "10 mg/mL", "daily_dose": "3.6 mg/day"},
            {"drug": "bupivacaine", "concentration": "15 mg/mL", "daily_dose": "5.4 mg/day"},
            {"drug": "clonidine", "concentration": "300 mcg/mL", "daily_dose": clonidine},
        ],
        "daily_dose": "3.6 mg/day",
    }


ROUTINE: list[Case] = [
    Case(
        name="morphine trial with naloxone at hand",
        hazard=False,
        request=trial("morphine", "0.25 mg", monitoring={"naloxone_available": True}),
    ),
    Case(
        name="implant: priming catheter and pump path with morphine 25 mg/mL",
        hazard=False,
        request=implant(
            priming={"mode": "after-implant"},
            prescription=rx(MORPHINE_25, "1 mg/day"),
            pump_=pump(reservoir="20 mL", catheter=CATHETER),
            patient_=patient(opioid_status="naive"),
        ),
        expected={"ITS-PRIME-004": I},
    ),
    Case(
        name="catheter revision: priming the catheter only (measured 0.12 mL)",
        hazard=False,
        request=catheter_revision(
            rx(MORPHINE_25, "5 mg/day"),
            priming={"mode": "after-catheter-revision"},
            pump_=pump(catheter={**CATHETER, "volume": "0.12 mL"}),
        ),
        expected={"ITS-PRIME-004": I},
    ),
    Case(
        name="triple admixture +20 % with each component's intended dose stated and matching",
        hazard=False,
        request=program_change(rx(TRIPLE, "3 mg/day"), _intended("108 mcg/day")),
    ),
    Case(
        name="refill verified by the pharmacist by name",
        hazard=False,
        request=refill(M4, verified_by={"user_id": "pharmacist-1", "role": "pharmacist"}),
    ),
]

HAZARDS: list[Case] = [
    # ------------------------------------------------------------------ trial and monitoring (item 8)
    Case(
        name="trial discharge with no sedation score recorded",
        hazard=True,
        request=discharge("morphine", "0.25 mg", after_hours=24, latest=None),
        expected={"ITS-TRIAL-003": B},
    ),
    Case(
        name="trial discharge at POSS 3",
        hazard=True,
        request=discharge(
            "morphine", "0.25 mg", after_hours=24, latest={"sedation": "3", "respiratory_rate": 12}
        ),
        expected={"ITS-TRIAL-003": B},
    ),
    Case(
        name="trial discharge breathing 8/min",
        hazard=True,
        request=discharge(
            "morphine", "0.25 mg", after_hours=26, latest={"sedation": "2", "respiratory_rate": 8}
        ),
        expected={"ITS-TRIAL-004": B},
    ),
    Case(
        name="trial discharge at SpO2 88 %",
        hazard=True,
        request=discharge(
            "fentanyl", "50 mcg", after_hours=24, latest={"sedation": "1", "spo2_pct": 88}
        ),
        expected={"ITS-TRIAL-004": B},
    ),
    Case(
        name="morphine start in an opioid-naive patient with no monitoring plan",
        hazard=True,
        request=new_start(rx(M1, "0.5 mg/day"), monitoring=None),
        expected={"ITS-MON-001": O},
    ),
    Case(
        name="morphine start with respiratory monitoring for 6 h only",
        hazard=True,
        request=new_start(rx(M1, "0.5 mg/day"), monitoring={**MONITORED, "respiratory": "6 h"}),
        expected={"ITS-MON-001": O},
    ),
    Case(
        name="morphine trial with naloxone not available",
        hazard=True,
        request=trial("morphine", "0.25 mg", monitoring={"naloxone_available": False}),
        expected={"ITS-MON-002": B},
    ),
    # ------------------------------------------------------------------ priming (item 5)
    Case(
        name="catheter revision primed with the pump path too (pushes 5 mg of morphine)",
        hazard=True,
        request=catheter_revision(
            rx(MORPHINE_25, "5 mg/day"),
            priming={"mode": "after-implant"},
            pump_=pump(catheter=CATHETER),
        ),
        expected={"ITS-PRIME-001": B, "ITS-PRIME-004": I},
    ),
    Case(
        name="catheter revision primed 0.15 mL for a 0.117 mL catheter (0.33 mg morphine)",
        hazard=True,
        request=catheter_revision(
            rx(MORPHINE_10, "4 mg/day"),
            priming={"mode": "after-catheter-revision", "volume": "0.15 mL"},
            pump_=pump(catheter=CATHETER),
        ),
        expected={"ITS-PRIME-002": O, "ITS-PRIME-004": I},
    ),
    Case(
        name="implant primed with 0.1 mL of a 0.317 mL dead space",
        hazard=True,
        request=implant(
            priming={"mode": "after-implant", "volume": "0.1 mL"},
            prescription=rx(MORPHINE_10, "1 mg/day"),
            pump_=pump(reservoir="20 mL", catheter=CATHETER),
        ),
        expected={"ITS-PRIME-003": W, "ITS-PRIME-004": I},
    ),
    # ------------------------------------------------------------------ refills (items 6, SR-08)
    Case(
        name="refill with no expected or measured residual",
        hazard=True,
        request=refill(M4, expected=None, measured=None),
        expected={"ITS-REFILL-012": O},
    ),
    Case(
        name="hydromorphone refill after 45 days (unknown stability; clinic default 30)",
        hazard=True,
        request=refill(rx(mix(("hydromorphone", "10 mg/mL")), "3 mg/day"), next_days=45),
        expected={"ITS-REFILL-009": W},
    ),
    Case(
        name="refill admixture verified by a nurse",
        hazard=True,
        request=refill(M4, verified_by={"user_id": "nurse-2", "role": "nurse"}),
        expected={"ITS-CONC-004": B},
    ),
    Case(
        name="refill verified by the clinician who proposes it",
        hazard=True,
        request=refill(M4, verified_by={"user_id": "physician-1", "role": "pharmacist"}),
        expected={"ITS-CONC-004": B},
    ),
    Case(
        name="clonidine intended at 10.8 mcg/day, the admixture delivers 108",
        hazard=True,
        request=program_change(rx(TRIPLE, "3 mg/day"), _intended("10.8 mcg/day")),
        expected={"ITS-CONC-003": B},
    ),
    # ------------------------------------------------------------------ patient facts (item 11)
    Case(
        name="morphine +20 % with benzodiazepines",
        hazard=True,
        request=program_change(
            M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(risk={"sedatives": True})
        ),
        expected={"ITS-RISK-001": W},
    ),
    Case(
        name="morphine start with sleep apnoea",
        hazard=True,
        request=new_start(
            rx(M1, "0.5 mg/day"),
            patient_=patient(opioid_status="naive", risk={"sleep_apnoea": True}),
        ),
        expected={"ITS-RISK-002": W},
    ),
    Case(
        name="morphine +20 % at 72",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(age_years=72)),
        expected={"ITS-RISK-003": W},
    ),
    Case(
        name="morphine +20 % with renal impairment",
        hazard=True,
        request=program_change(
            M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(risk={"renal_impairment": True})
        ),
        expected={"ITS-RISK-004": W},
    ),
    Case(
        name="morphine +20 % in pregnancy",
        hazard=True,
        request=program_change(
            M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(risk={"pregnant": True})
        ),
        expected={"ITS-RISK-005": O},
    ),
    Case(
        name="triple admixture +20 % with hypotension recorded (clonidine)",
        hazard=True,
        request=program_change(
            rx(TRIPLE, "3 mg/day"),
            rx(TRIPLE, "3.6 mg/day"),
            patient_=patient(risk={"hypotension_or_bradycardia": True}),
        ),
        expected={"ITS-RISK-006": O},
    ),
    Case(
        name="triple admixture +20 % with urinary retention recorded (bupivacaine)",
        hazard=True,
        request=program_change(
            rx(TRIPLE, "3 mg/day"),
            rx(TRIPLE, "3.6 mg/day"),
            patient_=patient(risk={"motor_block_or_urinary_retention": True}),
        ),
        expected={"ITS-RISK-007": O},
    ),
    Case(
        name="ziconotide +2.4 mcg/day with hallucinations recorded",
        hazard=True,
        request=program_change(
            rx(ZICO_25, "2.4 mcg/day"),
            rx(ZICO_25, "4.8 mcg/day"),
            patient_=patient(risk={"neuropsychiatric_symptoms": True}),
            changed_days_ago=3,
        ),
        expected={"ITS-RISK-008": B},
    ),
    Case(
        name="ziconotide start with no monitoring plan recorded",
        hazard=True,
        request=new_start(
            rx(ZICO_25, "1.2 mcg/day"),
            patient_=patient(opioid_status="naive", risk={"ziconotide_monitoring": None}),
        ),
        expected={"ITS-RISK-009": W},
    ),
    Case(
        name="ziconotide refill with CK elevated",
        hazard=True,
        request=refill(
            rx(ZICO_25, "2.4 mcg/day"), next_days=30, patient_=patient(risk={"ck_elevated": True})
        ),
        expected={"ITS-RISK-009": W},
    ),
    Case(
        name="morphine start with no endocrine check recorded",
        hazard=True,
        request=new_start(
            rx(M1, "0.5 mg/day"),
            patient_=patient(opioid_status="naive", risk={"endocrine_checked_on": None}),
        ),
        expected={"ITS-RISK-010": W},
    ),
    Case(
        name="morphine refill, last endocrine check two years ago",
        hazard=True,
        request=refill(M4, patient_=patient(risk={"endocrine_checked_on": "2024-02-01"})),
        expected={"ITS-RISK-010": W},
    ),
    Case(
        name="morphine +20 % with signs of a catheter-tip mass",
        hazard=True,
        request=program_change(
            M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(risk={"granuloma_signs": True})
        ),
        expected={"ITS-GRAN-003": O},
    ),
    Case(
        name="morphine refill with signs of a catheter-tip mass",
        hazard=True,
        request=refill(M4, patient_=patient(risk={"granuloma_signs": True})),
        expected={"ITS-GRAN-004": W},
    ),
]
