"""Corpus cases of issue 14: drugs new to the pump, switches and rotations, starting ranges,
paediatric and phase-specific baclofen limits, withdrawal-risk dates and the ziconotide first fill.

Off-label drugs (hydromorphone, fentanyl, sufentanil, bupivacaine, clonidine) always raise the
approval override in a SynchroMed (ITS-PUMP-001), so the routine switches and additions here are
to labelled drugs; the hazardous ones list that override beside the finding they are about.
"""

from __future__ import annotations

from safety_builders import (
    Case,
    discharge,
    mix,
    new_start,
    patient,
    program_change,
    pump,
    refill,
    rx,
    spasticity_patient,
    when,
)

B, O, W, I = "block", "override", "warn", "info"  # noqa: E741 - one-letter severities keep the table readable

MORPHINE_10 = mix(("morphine", "10 mg/mL"))
M4 = rx(MORPHINE_10, "4 mg/day")
M2 = rx(MORPHINE_10, "2 mg/day")
HYDRO_2 = mix(("hydromorphone", "2 mg/mL"))
HYDRO_10 = mix(("hydromorphone", "10 mg/mL"))
FENTANYL = mix(("fentanyl", "1000 mcg/mL"))
SUFENTANIL = mix(("sufentanil", "1000 mcg/mL"))
ZICO_25 = mix(("ziconotide", "25 mcg/mL"))
ZICO_100 = mix(("ziconotide", "100 mcg/mL"))
BAC_500 = mix(("baclofen", "500 mcg/mL"))
BAC_2000 = mix(("baclofen", "2000 mcg/mL"))
M_CLON = mix(("morphine", "10 mg/mL"), ("clonidine", "300 mcg/mL"))
M_BUPI = mix(("morphine", "10 mg/mL"), ("bupivacaine", "15 mg/mL"))
M_ZICO = mix(("morphine", "10 mg/mL"), ("ziconotide", "25 mcg/mL"))
CHILD = spasticity_patient("cerebral", age_years=8)
SPINAL = spasticity_patient()
CATHETER = {"model": "indura-1p-8709sc", "implanted_length_cm": "45"}

ROUTINE: list[Case] = [
    Case(
        name="rotation hydromorphone 0.6 mg/day → morphine 2 mg/day (a third below the equivalent)",
        hazard=False,
        request=program_change(
            rx(HYDRO_2, "0.6 mg/day"), rx(mix(("morphine", "10 mg/mL")), "2 mg/day")
        ),
    ),
    Case(
        name="rotation fentanyl 500 mcg/day → morphine 6 mg/day (25 % below the equivalent)",
        hazard=False,
        request=program_change(rx(FENTANYL, "500 mcg/day"), rx(MORPHINE_10, "6 mg/day")),
    ),
    Case(
        name="rotation hydromorphone 10 mg/mL → morphine 10 mg/mL at a reduced dose",
        hazard=False,
        request=program_change(rx(HYDRO_10, "0.6 mg/day"), rx(MORPHINE_10, "2 mg/day")),
    ),
    Case(
        name="ziconotide 1 mcg/day added to morphine (inside its starting range)",
        hazard=False,
        request=program_change(
            M4, rx(mix(("morphine", "10 mg/mL"), ("ziconotide", "2.5 mcg/mL")), "4 mg/day")
        ),
    ),
    Case(
        name="bupivacaine (low withdrawal risk) taken out of a morphine admixture",
        hazard=False,
        request=program_change(rx(M_BUPI, "3 mg/day"), rx(MORPHINE_10, "3 mg/day")),
    ),
    Case(
        name="morphine new start 0.1 mg/day in an opioid-naive patient (PACC start)",
        hazard=False,
        request=new_start(rx(mix(("morphine", "1 mg/mL")), "0.1 mg/day")),
    ),
    Case(
        name="baclofen new start 100 mcg/day for a 9-year-old after a 50 mcg screening dose",
        hazard=False,
        request=new_start(
            rx(BAC_500, "100 mcg/day"),
            patient_=spasticity_patient("cerebral", age_years=9),
            extra={"effective_screening_dose": "50 mcg"},
        ),
    ),
    Case(
        name="baclofen child (10 years) +12 % in the titration phase",
        hazard=False,
        request=program_change(
            rx(BAC_500, "200 mcg/day"),
            rx(BAC_500, "224 mcg/day"),
            patient_=spasticity_patient(age_years=10),
            changed_days_ago=2,
            phase="titration",
        ),
    ),
    Case(
        name="baclofen adult spinal +35 % in the maintenance phase (label ≤ 40 %)",
        hazard=False,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "405 mcg/day"),
            patient_=SPINAL,
            phase="maintenance",
        ),
    ),
    Case(
        name="baclofen refill, next in 20 days, before the alarm on day 22.5",
        hazard=False,
        request=refill(
            rx(BAC_500, "400 mcg/day"),
            next_days=20,
            patient_=spasticity_patient(spinal_cord_injury_level="T10"),
        ),
    ),
    Case(
        name="baclofen +10 % with the refill on record before the new alarm date",
        hazard=False,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "330 mcg/day"),
            patient_=SPINAL,
            pump_=pump(reservoir="10 mL", next_refill_at=when(days=10)),
        ),
    ),
    Case(
        name="morphine-ziconotide admixture refilled after 35 days (admixed: 40-day stability)",
        hazard=False,
        request=refill(rx(M_ZICO, "4 mg/day"), next_days=35),
    ),
]

HAZARDS: list[Case] = [
    # ------------------------------------------------------------------ switches (item 1)
    Case(
        name="switch morphine 2 mg/day → sufentanil 1 mg/day (about 50 × in morphine terms)",
        hazard=True,
        request=program_change(M2, rx(SUFENTANIL, "1000 mcg/day")),
        expected={"ITS-ROT-001": B, "ITS-ROT-002": O, "ITS-PUMP-001": O, "ITS-DOSE-008": W},
    ),
    Case(
        name="switch morphine 2 mg/day → fentanyl 2000 mcg/day",
        hazard=True,
        request=program_change(M2, rx(FENTANYL, "2000 mcg/day")),
        expected={"ITS-ROT-001": B, "ITS-ROT-002": O, "ITS-PUMP-001": O, "ITS-DOSE-008": W},
    ),
    Case(
        name="switch morphine 2 mg/day → hydromorphone 2 mg/day (5–6 × the morphine dose)",
        hazard=True,
        request=program_change(M2, rx(HYDRO_2, "2 mg/day")),
        expected={"ITS-ROT-002": O, "ITS-PUMP-001": O},
    ),
    Case(
        name="rotation hydromorphone 0.6 mg/day → morphine 6 mg/day without a reduction",
        hazard=True,
        request=program_change(rx(HYDRO_2, "0.6 mg/day"), rx(MORPHINE_10, "6 mg/day")),
        expected={"ITS-ROT-002": O},
    ),
    Case(
        name="rotation hydromorphone 0.6 mg/day → morphine 0.2 mg/day (decimal slip)",
        hazard=True,
        request=program_change(
            rx(HYDRO_2, "0.6 mg/day"), rx(mix(("morphine", "2 mg/mL")), "0.2 mg/day")
        ),
        expected={"ITS-ROT-001": B},
    ),
    Case(
        name="rotation hydromorphone 10 mg/mL → morphine 1 mg/mL (a tenth in morphine terms)",
        hazard=True,
        request=program_change(
            rx(HYDRO_10, "0.6 mg/day"), rx(mix(("morphine", "1 mg/mL")), "2 mg/day")
        ),
        expected={"ITS-ROT-003": O},
    ),
    Case(
        name="clonidine taken out of a morphine admixture at once",
        hazard=True,
        request=program_change(rx(M_CLON, "3 mg/day"), rx(MORPHINE_10, "3 mg/day")),
        expected={"ITS-STEP-008": O},
    ),
    # ------------------------------------------------------------------ additions (item 1)
    Case(
        name="clonidine added to morphine at 200 mcg/day (start 20–100 mcg/day)",
        hazard=True,
        request=program_change(
            M4, rx(mix(("morphine", "10 mg/mL"), ("clonidine", "500 mcg/mL")), "4 mg/day")
        ),
        expected={"ITS-DOSE-005": O, "ITS-PUMP-001": O},
    ),
    Case(
        name="clonidine added to morphine at 10 × the top of its starting range",
        hazard=True,
        request=program_change(
            M4, rx(mix(("morphine", "4 mg/mL"), ("clonidine", "1000 mcg/mL")), "4 mg/day")
        ),
        expected={"ITS-GUARD-006": B, "ITS-DOSE-005": O, "ITS-DOSE-004": O, "ITS-PUMP-001": O},
    ),
    Case(
        name="ziconotide added to morphine at 19.2 mcg/day (label start ≤ 2.4)",
        hazard=True,
        request=program_change(
            M4, rx(mix(("morphine", "10 mg/mL"), ("ziconotide", "48 mcg/mL")), "4 mg/day")
        ),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="fentanyl raised to 800 mcg/day (no known maximum; above morphine's in equivalents)",
        hazard=True,
        request=program_change(rx(FENTANYL, "700 mcg/day"), rx(FENTANYL, "800 mcg/day")),
        expected={"ITS-DOSE-008": W},
    ),
    # ------------------------------------------------------------------ starts (items 4, 7)
    Case(
        name="ziconotide new start at 19.2 mcg/day (label: start at ≤ 2.4)",
        hazard=True,
        request=new_start(rx(ZICO_25, "19.2 mcg/day")),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="morphine new start 0.05 mg/day, below every starting range",
        hazard=True,
        request=new_start(rx(mix(("morphine", "1 mg/mL")), "0.05 mg/day")),
        expected={"ITS-DOSE-005": O},
    ),
    # ------------------------------------------------------------------ baclofen (item 2)
    Case(
        name="baclofen new start 700 mcg/day for an 8-year-old",
        hazard=True,
        request=new_start(rx(BAC_2000, "700 mcg/day"), patient_=CHILD),
        expected={"ITS-DOSE-007": B, "ITS-DOSE-004": O},
    ),
    Case(
        name="baclofen new start 150 mcg/day after a 50 mcg screening dose (twice is 100)",
        hazard=True,
        request=new_start(
            rx(BAC_500, "150 mcg/day"),
            patient_=SPINAL,
            extra={"effective_screening_dose": "50 mcg"},
        ),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="baclofen new start 2000 mcg/day (10 × the largest screening start)",
        hazard=True,
        request=new_start(rx(BAC_2000, "2000 mcg/day"), patient_=SPINAL),
        expected={"ITS-DOSE-007": B, "ITS-GUARD-006": B, "ITS-DOSE-004": O},
    ),
    Case(
        name="baclofen start with the screening dose typed as 500 mcg",
        hazard=True,
        request=new_start(
            rx(BAC_500, "100 mcg/day"),
            patient_=SPINAL,
            extra={"effective_screening_dose": "500 mcg"},
        ),
        expected={"ITS-GUARD-007": B},
    ),
    Case(
        name="baclofen child (10 years) +20 % in the titration phase (children ≤ 15 %)",
        hazard=True,
        request=program_change(
            rx(BAC_500, "200 mcg/day"),
            rx(BAC_500, "240 mcg/day"),
            patient_=spasticity_patient(age_years=10),
            changed_days_ago=2,
            phase="titration",
        ),
        expected={"ITS-STEP-001": B},
    ),
    Case(
        name="baclofen adult spinal +35 % in the titration phase (≤ 30 %)",
        hazard=True,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "405 mcg/day"),
            patient_=SPINAL,
            phase="titration",
        ),
        expected={"ITS-STEP-001": B},
    ),
    Case(
        name="baclofen adult cerebral +25 % in the maintenance phase (≤ 20 %)",
        hazard=True,
        request=program_change(
            rx(BAC_500, "200 mcg/day"),
            rx(BAC_500, "250 mcg/day"),
            patient_=spasticity_patient("cerebral"),
            phase="maintenance",
        ),
        expected={"ITS-STEP-001": B},
    ),
    # ------------------------------------------------------------------ withdrawal (item 3)
    Case(
        name="baclofen refill, T4 injury, next in 60 days for a pump empty on day 25",
        hazard=True,
        request=refill(
            rx(BAC_500, "400 mcg/day"),
            next_days=60,
            patient_=spasticity_patient(spinal_cord_injury_level="T4"),
        ),
        expected={"ITS-WDRAW-001": B, "ITS-REFILL-006": W},
    ),
    Case(
        name="baclofen +10 % that runs the reservoir dry before the refill on record",
        hazard=True,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "330 mcg/day"),
            patient_=SPINAL,
            pump_=pump(reservoir="10 mL", next_refill_at=when(days=20)),
        ),
        expected={"ITS-WDRAW-001": B},
    ),
    Case(
        name="baclofen +10 % with the low-reservoir alarm before the refill on record",
        hazard=True,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "330 mcg/day"),
            patient_=SPINAL,
            pump_=pump(reservoir="10 mL", next_refill_at=when(days=13)),
        ),
        expected={"ITS-WDRAW-002": W},
    ),
    # ------------------------------------------------------------------ ziconotide fills (item 4)
    Case(
        name="first ziconotide fill of a naive pump at 100 mcg/mL",
        hazard=True,
        request=refill(
            rx(ZICO_100, "2.4 mcg/day"),
            next_days=13,
            first_fill=True,
            rinses=3,
            expected=None,
            measured=None,
        ),
        expected={"ITS-REFILL-010": B},
    ),
    Case(
        name="first ziconotide fill after one rinse",
        hazard=True,
        request=refill(
            rx(ZICO_25, "1.2 mcg/day"),
            next_days=13,
            first_fill=True,
            rinses=1,
            expected=None,
            measured=None,
        ),
        expected={"ITS-REFILL-010": B},
    ),
    Case(
        name="first ziconotide fill with the rinses not recorded",
        hazard=True,
        request=refill(
            rx(ZICO_25, "1.2 mcg/day"), next_days=13, first_fill=True, expected=None, measured=None
        ),
        expected={"ITS-REFILL-011": W},
    ),
    Case(
        name="morphine-ziconotide admixture refilled after 60 days (admixed: 40 days, not 84)",
        hazard=True,
        request=refill(rx(M_ZICO, "4 mg/day"), next_days=60),
        expected={"ITS-REFILL-002": B, "ITS-REFILL-008": W},
    ),
    Case(
        name="a patient recorded as opioid-naive: morphine +20 % without a monitoring plan",
        hazard=True,
        request=program_change(
            M4, rx(MORPHINE_10, "4.8 mg/day"), patient_=patient(opioid_status="naive")
        ),
        expected={"ITS-MON-001": O},
    ),
]


# Ten-fold family (issue 14 second pass): a switch at 10 × the rotation's starting dose (the current
# morphine-equivalent dose less the required 25 % reduction, at the most potent end of the ratio)
# and an adjuvant added at 10 × the top of its starting range must block; paediatric baclofen at
# ten times the label's start or step; a trial discharge during respiratory depression.
M1_2 = rx(mix(("morphine", "1 mg/mL")), "2 mg/day")
M2_2 = rx(mix(("morphine", "2 mg/mL")), "2 mg/day")
TEN_FOLD: list[Case] = [
    Case(
        name="switch morphine 2 mg/day → hydromorphone 2.5 mg/day (10 × the rotation's start)",
        hazard=True,
        request=program_change(M2, rx(HYDRO_10, "2.5 mg/day")),
        expected={"ITS-ROT-001": B, "ITS-PUMP-001": O, "ITS-ROT-002": O, "ITS-GRAN-002": W},
    ),
    Case(
        name="switch morphine 2 mg/day → fentanyl 700 mcg/day (10 × the rotation's start)",
        hazard=True,
        request=program_change(M2, rx(FENTANYL, "700 mcg/day")),
        expected={"ITS-ROT-001": B, "ITS-PUMP-001": O, "ITS-ROT-002": O, "ITS-DOSE-008": W},
    ),
    Case(
        name="switch morphine 2 mg/day → sufentanil 160 mcg/day (10 × the rotation's start)",
        hazard=True,
        request=program_change(M2, rx(mix(("sufentanil", "500 mcg/mL")), "160 mcg/day")),
        expected={"ITS-ROT-001": B, "ITS-PUMP-001": O, "ITS-ROT-002": O, "ITS-DOSE-008": W},
    ),
    Case(
        name="clonidine added to morphine at 1000 mcg/day (10 × its top starting dose)",
        hazard=True,
        request=program_change(
            M2_2, rx(mix(("morphine", "2 mg/mL"), ("clonidine", "1000 mcg/mL")), "2 mg/day")
        ),
        expected={"ITS-GUARD-006": B, "ITS-DOSE-004": O, "ITS-DOSE-005": O, "ITS-PUMP-001": O},
    ),
    Case(
        name="bupivacaine added to morphine at 40 mg/day (10 × its top starting dose)",
        hazard=True,
        request=program_change(
            M1_2, rx(mix(("morphine", "1 mg/mL"), ("bupivacaine", "20 mg/mL")), "2 mg/day")
        ),
        expected={"ITS-GUARD-006": B, "ITS-DOSE-004": O, "ITS-DOSE-005": O, "ITS-PUMP-001": O},
    ),
    Case(
        name="ziconotide added to morphine at 24 mcg/day (10 × its top starting dose)",
        hazard=True,
        request=program_change(
            M2_2, rx(mix(("morphine", "2 mg/mL"), ("ziconotide", "24 mcg/mL")), "2 mg/day")
        ),
        expected={"ITS-DOSE-003": B, "ITS-DOSE-007": B, "ITS-GUARD-006": B},
    ),
    Case(
        name="baclofen child (8 years) 100 → 1000 mcg/day (ten-fold)",
        hazard=True,
        request=program_change(
            rx(mix(("baclofen", "2000 mcg/mL")), "100 mcg/day"),
            rx(mix(("baclofen", "2000 mcg/mL")), "1000 mcg/day"),
            patient_=CHILD,
        ),
        expected={"ITS-GUARD-001": B, "ITS-STEP-001": B, "ITS-DOSE-004": O},
    ),
    Case(
        name="baclofen new start 1000 mcg/day for a 6-year-old after a 50 mcg screening dose",
        hazard=True,
        request=new_start(
            rx(mix(("baclofen", "2000 mcg/mL")), "1000 mcg/day"),
            patient_=spasticity_patient("cerebral", age_years=6),
            extra={"effective_screening_dose": "50 mcg"},
        ),
        expected={"ITS-DOSE-007": B, "ITS-GUARD-006": B, "ITS-DOSE-004": O},
    ),
    Case(
        name="trial discharge at respiratory rate 8/min and SpO2 88 % after morphine 0.3 mg",
        hazard=True,
        request=discharge(
            "morphine",
            "0.3 mg",
            after_hours=25,
            latest={"sedation": "2", "respiratory_rate": 8, "spo2_pct": 88},
        ),
        expected={"ITS-TRIAL-004": B},
    ),
]
HAZARDS += TEN_FOLD
