"""The safety-review case corpus: realistic hazardous and routine requests with their expected
findings (code → severity). Hazardous cases list every finding above info they must produce;
routine cases must produce nothing above info (their info codes are listed)."""

from __future__ import annotations

import safety_cases_care
import safety_cases_starts
from safety_builders import (
    Case,
    bolus,
    cancer_patient,
    discharge,
    implant,
    mix,
    mri,
    new_start,
    patient,
    program_change,
    pump,
    refill,
    request,
    rx,
    spasticity_patient,
    trial,
    when,
)

B, O, W, I = "block", "override", "warn", "info"  # noqa: E741 - one-letter severities keep the table readable

MORPHINE_10 = mix(("morphine", "10 mg/mL"))
MORPHINE_25 = mix(("morphine", "25 mg/mL"))
HYDRO_10 = mix(("hydromorphone", "10 mg/mL"))
FENTANYL = mix(("fentanyl", "1000 mcg/mL"))
ZICO_25 = mix(("ziconotide", "25 mcg/mL"))
ZICO_5 = mix(("ziconotide", "5 mcg/mL"))
BAC_500 = mix(("baclofen", "500 mcg/mL"))
BAC_2000 = mix(("baclofen", "2000 mcg/mL"))
TRIPLE = mix(("morphine", "10 mg/mL"), ("bupivacaine", "15 mg/mL"), ("clonidine", "300 mcg/mL"))
SM20, SM40 = "synchromed-ii-20", "synchromed-ii-40"
PROMETRA = "prometra-ii-20"

ROUTINE: list[Case] = [
    # ------------------------------------------------------------------ program changes
    Case(
        name="morphine non-cancer +25 % a month after the last change",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "5 mg/day"), year_ago="3.5 mg/day"
        ),
    ),
    Case(
        name="morphine cancer pain +41.7 % within the 50 % cancer step",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "6 mg/day"), rx(MORPHINE_10, "8.5 mg/day"), patient_=cancer_patient()
        ),
    ),
    Case(
        name="baclofen spinal origin +20 % three days after the last change",
        hazard=False,
        request=program_change(
            rx(BAC_500, "300 mcg/day"),
            rx(BAC_500, "360 mcg/day"),
            patient_=spasticity_patient(),
            changed_days_ago=3,
        ),
    ),
    Case(
        name="baclofen cerebral origin +10 % two days after the last change",
        hazard=False,
        request=program_change(
            rx(BAC_500, "200 mcg/day"),
            rx(BAC_500, "220 mcg/day"),
            patient_=spasticity_patient("cerebral"),
            changed_days_ago=2,
        ),
    ),
    Case(
        name="ziconotide +2.4 mcg/day three days after the last step (label)",
        hazard=False,
        request=program_change(
            rx(ZICO_25, "2.4 mcg/day"), rx(ZICO_25, "4.8 mcg/day"), changed_days_ago=3
        ),
    ),
    Case(
        name="ziconotide reduced by 25 % for dizziness",
        hazard=False,
        request=program_change(
            rx(ZICO_25, "4.8 mcg/day"), rx(ZICO_25, "3.6 mcg/day"), changed_days_ago=3
        ),
    ),
    Case(
        name="morphine reduced by 20 %",
        hazard=False,
        request=program_change(rx(MORPHINE_10, "5 mg/day"), rx(MORPHINE_10, "4 mg/day")),
    ),
    Case(
        name="hydromorphone already in the pump +20 %",
        hazard=False,
        request=program_change(rx(HYDRO_10, "2 mg/day"), rx(HYDRO_10, "2.4 mg/day")),
    ),
    Case(
        name="morphine-bupivacaine-clonidine admixture +20 %",
        hazard=False,
        request=program_change(
            rx(TRIPLE, "3 mg/day"), rx(TRIPLE, "3.6 mg/day"), patient_=cancer_patient()
        ),
    ),
    Case(
        name="morphine patient bolus 0.1 mg four times a day added",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mg"))
        ),
    ),
    Case(
        name="morphine continuous to a day/night flex program with the same average",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"),
            rx(
                MORPHINE_10,
                "",
                steps=[{"start": "0 h", "rate": "3 mg/day"}, {"start": "12 h", "rate": "5 mg/day"}],
            ),
        ),
    ),
    Case(
        name="baclofen 2000 mcg/mL +10 % in a 40 mL pump",
        hazard=False,
        request=program_change(
            rx(BAC_2000, "600 mcg/day"),
            rx(BAC_2000, "660 mcg/day"),
            patient_=spasticity_patient(),
            pump_=pump(SM40, "20 mL"),
        ),
    ),
    Case(
        name="fentanyl +20 %",
        hazard=False,
        request=program_change(rx(FENTANYL, "300 mcg/day"), rx(FENTANYL, "360 mcg/day")),
    ),
    Case(
        name="morphine bolus dose lowered from 0.2 to 0.15 mg",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.2 mg")),
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.15 mg")),
        ),
    ),
    Case(
        name="nurse proposes a morphine +10 % change",
        hazard=False,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "4.4 mg/day"), role="nurse"
        ),
    ),
    # ------------------------------------------------------------------ refills
    Case(
        name="morphine 10 mg/mL refill, next in 30 days",
        hazard=False,
        request=refill(rx(MORPHINE_10, "4 mg/day")),
    ),
    Case(
        name="morphine refill with patient boluses, next in 30 days",
        hazard=False,
        request=refill(rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mg"))),
    ),
    Case(
        name="morphine 25 mg/mL steady-state refill in a 40 mL pump (no granuloma alarm at an unchanged concentration)",
        hazard=False,
        request=refill(
            rx(MORPHINE_25, "8 mg/day"),
            volume="40 mL",
            next_days=60,
            expected="3 mL",
            measured="4.5 mL",
            pump_=pump(SM40, "3 mL"),
            year_ago="8 mg/day",
        ),
    ),
    Case(
        name="ziconotide undiluted refill, next in 40 days",
        hazard=False,
        request=refill(rx(ZICO_25, "2.4 mcg/day"), next_days=40),
    ),
    Case(
        name="ziconotide first fill of a naive pump, next in 13 days",
        hazard=False,
        request=refill(
            rx(ZICO_25, "1.2 mcg/day"),
            next_days=13,
            first_fill=True,
            rinses=3,
            expected=None,
            measured=None,
        ),
    ),
    Case(
        name="ziconotide diluted 5 mcg/mL refill, next in 30 days",
        hazard=False,
        request=refill(rx(ZICO_5, "2.4 mcg/day"), next_days=30),
    ),
    Case(
        name="baclofen refill, SCI below T6, next in 25 days",
        hazard=False,
        request=refill(
            rx(BAC_500, "300 mcg/day"),
            next_days=25,
            patient_=spasticity_patient(spinal_cord_injury_level="T10"),
        ),
    ),
    Case(
        name="baclofen refill, high withdrawal risk with the alarm at 4 mL",
        hazard=False,
        request=refill(
            rx(BAC_500, "300 mcg/day"),
            next_days=25,
            patient_=spasticity_patient(spinal_cord_injury_level="T4"),
            pump_=pump(reservoir="4.1 mL", low_reservoir_alarm="4 mL"),
            expected="4.1 mL",
            measured="4 mL",
        ),
    ),
    Case(
        name="baclofen 2000 mcg/mL refill of a 40 mL pump, next in 60 days",
        hazard=False,
        request=refill(
            rx(BAC_2000, "600 mcg/day"),
            volume="40 mL",
            next_days=60,
            patient_=spasticity_patient(),
            pump_=pump(SM40, "2.1 mL"),
        ),
    ),
    Case(
        name="hydromorphone refill within the clinic's default for unknown stability",
        hazard=False,
        request=refill(rx(HYDRO_10, "3 mg/day"), next_days=28),
    ),
    Case(
        name="morphine-bupivacaine-clonidine refill, next in 45 days",
        hazard=False,
        request=refill(rx(TRIPLE, "3 mg/day"), next_days=45, patient_=cancer_patient()),
    ),
    Case(
        name="fentanyl refill within the clinic's default for unknown stability",
        hazard=False,
        request=refill(rx(FENTANYL, "300 mcg/day"), next_days=28),
    ),
    Case(
        name="Prometra II morphine refill within its accuracy band",
        hazard=False,
        request=refill(
            rx(MORPHINE_10, "3 mg/day"),
            next_days=40,
            expected="2 mL",
            measured="2.5 mL",
            delivered="12 mL",
            pump_=pump(PROMETRA, "2 mL"),
        ),
    ),
    Case(
        name="refill: the nurse's readings agree with the pump (2.4 mL withdrawn, 19.5 mL injected)",
        hazard=False,
        request=refill(
            rx(MORPHINE_10, "4 mg/day"), withdrawn_read="2.4 mL", injected_read="19.5 mL"
        ),
    ),
    Case(
        name="morphine refill with a 0.8 mL discrepancy (below the 1 mL threshold)",
        hazard=False,
        request=refill(
            rx(MORPHINE_10, "4 mg/day"), expected="2.8 mL", measured="2 mL", delivered="18 mL"
        ),
    ),
    Case(
        name="morphine refill moving from 10 to 15 mg/mL at the same dose",
        hazard=False,
        request=refill(
            rx(MORPHINE_10, "4 mg/day"),
            fill=mix(("morphine", "15 mg/mL")),
            new_prescription=rx(mix(("morphine", "15 mg/mL")), "4 mg/day"),
            programmed=mix(("morphine", "15 mg/mL")),
        ),
    ),
    Case(
        name="nurse records a routine morphine refill",
        hazard=False,
        request=refill(rx(MORPHINE_10, "4 mg/day"), role="nurse"),
    ),
    Case(
        name="refill with the programmed concentration entered and matching",
        hazard=False,
        request=refill(rx(MORPHINE_10, "4 mg/day"), programmed=MORPHINE_10),
    ),
    # ------------------------------------------------------------------ new starts
    Case(
        name="morphine new start 0.5 mg/day in an opioid-naive patient",
        hazard=False,
        request=new_start(rx(mix(("morphine", "1 mg/mL")), "0.5 mg/day")),
    ),
    Case(
        name="morphine new start 5 mg/day in an opioid-tolerant patient",
        hazard=False,
        request=new_start(rx(MORPHINE_10, "5 mg/day"), patient_=patient()),
    ),
    Case(
        name="ziconotide new start 1.2 mcg/day (pump minimum flow)",
        hazard=False,
        request=new_start(rx(ZICO_25, "1.2 mcg/day")),
    ),
    Case(
        name="baclofen new start 100 mcg/day after screening",
        hazard=False,
        request=new_start(rx(BAC_500, "100 mcg/day"), patient_=spasticity_patient()),
    ),
    # ------------------------------------------------------------------ trials and discharge
    Case(name="morphine trial 0.25 mg", hazard=False, request=trial("morphine", "0.25 mg")),
    Case(
        name="baclofen screening 50 mcg",
        hazard=False,
        request=trial("baclofen", "50 mcg", patient_=spasticity_patient()),
    ),
    Case(name="ziconotide trial 2.5 mcg", hazard=False, request=trial("ziconotide", "2.5 mcg")),
    Case(name="fentanyl trial 50 mcg", hazard=False, request=trial("fentanyl", "50 mcg")),
    Case(
        name="discharge 24 h after a morphine trial",
        hazard=False,
        request=discharge("morphine", "0.25 mg", after_hours=24, role="nurse"),
    ),
    Case(
        name="discharge 8 h after baclofen screening",
        hazard=False,
        request=discharge("baclofen", "50 mcg", after_hours=8, patient_=spasticity_patient()),
    ),
    Case(
        name="discharge 30 h after a morphine trial",
        hazard=False,
        request=discharge("morphine", "0.3 mg", after_hours=30),
    ),
    # ------------------------------------------------------------------ implant and MRI
    Case(name="implant, no contraindication", hazard=False, request=implant()),
    Case(
        name="implant on anticoagulation with a hold/restart plan",
        hazard=False,
        request=implant(
            patient_=patient(anticoagulated=True, anticoagulation_plan=True, bleeding_risk=True)
        ),
    ),
    Case(
        name="MRI with a SynchroMed II (post-MRI interrogation task only)",
        hazard=False,
        request=mri(SM20, emptied=False),
        expected={"ITS-MRI-002": I},
    ),
    Case(
        name="MRI with an emptied Prometra II",
        hazard=False,
        request=mri(PROMETRA, emptied=True),
        expected={"ITS-MRI-002": I},
    ),
]

M4 = rx(MORPHINE_10, "4 mg/day")
BAC300 = rx(BAC_500, "300 mcg/day")
ZICO24 = rx(ZICO_25, "2.4 mcg/day")
SPINAL = spasticity_patient()

HAZARDS: list[Case] = [
    # ------------------------------------------------------------------ ten-fold and unit errors
    Case(
        name="morphine daily dose typed with an extra zero (4 → 40 mg/day)",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "40 mg/day")),
        expected={"ITS-GUARD-001": B, "ITS-DOSE-004": O, "ITS-STEP-002": O},
    ),
    Case(
        name="morphine daily dose with a misplaced decimal (4 → 0.4 mg/day)",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "0.4 mg/day")),
        expected={"ITS-GUARD-001": B, "ITS-STEP-005": O, "ITS-PUMP-002": B},
    ),
    Case(
        name="morphine daily dose entered in mcg (4 mg → 4 mcg/day)",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "4 mcg/day")),
        expected={"ITS-GUARD-001": B, "ITS-STEP-005": O, "ITS-PUMP-002": B},
    ),
    Case(
        name="baclofen daily dose entered in mg (300 mcg → 300 mg/day)",
        hazard=True,
        request=program_change(BAC300, rx(BAC_500, "300 mg/day"), patient_=SPINAL),
        expected={"ITS-GUARD-001": B, "ITS-DOSE-004": O, "ITS-STEP-001": B, "ITS-PUMP-002": B},
    ),
    Case(
        name="morphine concentration with an omitted zero (10 → 1 mg/mL)",
        hazard=True,
        request=program_change(M4, rx(mix(("morphine", "1 mg/mL")), "4 mg/day")),
        expected={"ITS-GUARD-002": B},
    ),
    Case(
        name="morphine concentration with an extra zero (25 → 250 mg/mL)",
        hazard=True,
        request=program_change(
            rx(MORPHINE_25, "8 mg/day"), rx(mix(("morphine", "250 mg/mL")), "8 mg/day")
        ),
        expected={"ITS-GUARD-002": B, "ITS-DOSE-001": B, "ITS-PUMP-002": B, "ITS-GRAN-002": W},
    ),
    Case(
        name="ziconotide concentration with a misplaced decimal (25 → 2.5 mcg/mL)",
        hazard=True,
        request=program_change(ZICO24, rx(mix(("ziconotide", "2.5 mcg/mL")), "2.4 mcg/day")),
        expected={"ITS-GUARD-002": B},
    ),
    Case(
        name="morphine patient bolus with an extra zero (0.1 → 1 mg)",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mg")),
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("1 mg")),
        ),
        expected={"ITS-GUARD-003": B, "ITS-STEP-007": O},
    ),
    Case(
        name="morphine patient bolus entered in mcg (0.1 mg → 0.1 mcg)",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mg")),
            rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mcg")),
        ),
        expected={"ITS-GUARD-003": B},
    ),
    Case(
        name="new morphine patient bolus entered in mcg (0.1 mcg instead of 0.1 mg)",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "4 mg/day", bolus=bolus("0.1 mcg"))
        ),
        expected={"ITS-GUARD-005": B},
    ),
    Case(
        name="new morphine patient bolus with an extra zero (10 mg instead of 1 mg)",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "4 mg/day"), rx(MORPHINE_10, "4 mg/day", bolus=bolus("10 mg"))
        ),
        # 4 × 10 mg/day on top of 4 mg/day also breaks the soft daily maximum and the step limit
        expected={"ITS-GUARD-005": B, "ITS-DOSE-006": O, "ITS-STEP-007": O},
    ),
    Case(
        name="morphine concentration entered in mcg/mL (10 mg/mL → 10 mcg/mL)",
        hazard=True,
        request=program_change(M4, rx(mix(("morphine", "10 mcg/mL")), "4 mg/day")),
        expected={"ITS-GUARD-002": B, "ITS-PUMP-002": B},
    ),
    Case(
        name="ziconotide concentration entered in mg/mL (25 mcg/mL → 25 mg/mL)",
        hazard=True,
        request=program_change(ZICO24, rx(mix(("ziconotide", "25 mg/mL")), "2.4 mcg/day")),
        expected={"ITS-GUARD-002": B, "ITS-DOSE-001": B, "ITS-PUMP-002": B},
    ),
    Case(
        name="clonidine in the admixture with an extra zero (300 → 3000 mcg/mL)",
        hazard=True,
        request=program_change(
            rx(TRIPLE, "3 mg/day"),
            rx(
                mix(
                    ("morphine", "10 mg/mL"),
                    ("bupivacaine", "15 mg/mL"),
                    ("clonidine", "3000 mcg/mL"),
                ),
                "3 mg/day",
            ),
            patient_=cancer_patient(),
        ),
        expected={
            "ITS-GUARD-001": B,
            "ITS-GUARD-002": B,
            "ITS-DOSE-002": O,
            "ITS-DOSE-004": O,
            "ITS-STEP-002": O,
        },
    ),
    Case(
        name="ziconotide daily dose with a misplaced decimal (2.4 → 24 mcg/day)",
        hazard=True,
        request=program_change(ZICO24, rx(ZICO_25, "24 mcg/day"), changed_days_ago=7),
        expected={"ITS-GUARD-001": B, "ITS-DOSE-003": B, "ITS-STEP-001": B},
    ),
    Case(
        name="fentanyl patient bolus with an extra zero (20 → 200 mcg)",
        hazard=True,
        request=program_change(
            rx(FENTANYL, "300 mcg/day", bolus=bolus("20 mcg")),
            rx(FENTANYL, "300 mcg/day", bolus=bolus("200 mcg")),
        ),
        expected={"ITS-GUARD-003": B, "ITS-STEP-007": O},
    ),
    # ------------------------------------------------------------------ concentration three-way match
    Case(
        name="refill: programmed concentration 1 mg/mL for a 10 mg/mL fill",
        hazard=True,
        request=refill(M4, programmed=mix(("morphine", "1 mg/mL"))),
        expected={"ITS-CONC-001": B, "ITS-GUARD-002": B},
    ),
    Case(
        name="refill: 25 mg/mL syringe for a 10 mg/mL prescription",
        hazard=True,
        request=refill(M4, fill=MORPHINE_25),
        expected={"ITS-CONC-001": B},
    ),
    Case(
        name="refill: pharmacy verified 20 mg/mL, prescription 10 mg/mL",
        hazard=True,
        request=refill(M4, verified=mix(("morphine", "20 mg/mL"))),
        expected={"ITS-CONC-001": B},
    ),
    Case(
        name="refill: admixture missing the clonidine the prescription lists",
        hazard=True,
        request=refill(
            rx(TRIPLE, "3 mg/day"),
            fill=mix(("morphine", "10 mg/mL"), ("bupivacaine", "15 mg/mL")),
            patient_=cancer_patient(),
        ),
        expected={"ITS-CONC-001": B},
    ),
    Case(
        name="refill without pharmacy verification",
        hazard=True,
        request=refill(M4, verified=None),
        expected={"ITS-CONC-002": B},
    ),
    Case(
        name="program change: programmer entry 5 mg/mL, prescription 10 mg/mL",
        hazard=True,
        request=request(
            "program-change",
            pump_=pump(),
            current_={"prescription": M4, "last_dose_change_at": when(days=-30)},
            proposal={
                "prescription": rx(MORPHINE_10, "4.4 mg/day"),
                "programmed_admixture": mix(("morphine", "5 mg/mL")),
            },
        ),
        expected={"ITS-CONC-001": B},
    ),
    # ------------------------------------------------------------------ refill procedure
    Case(
        name="refill: aspiration not confirmed",
        hazard=True,
        request=refill(M4, aspiration=False),
        expected={"ITS-REFILL-004": B},
    ),
    Case(
        name="refill: 40 mL into a 20 mL reservoir",
        hazard=True,
        request=refill(M4, volume="40 mL"),
        expected={"ITS-REFILL-001": B},
    ),
    Case(
        name="refill: morphine next refill after 100 days (stability 90 days)",
        hazard=True,
        request=refill(rx(MORPHINE_25, "2 mg/day"), next_days=100),
        expected={"ITS-REFILL-002": B},
    ),
    Case(
        name="refill: diluted ziconotide next refill after 50 days (stability 40 days)",
        hazard=True,
        request=refill(
            rx(ZICO_5, "2.4 mcg/day"), volume="40 mL", next_days=50, pump_=pump(SM40, "2.1 mL")
        ),
        expected={"ITS-REFILL-002": B},
    ),
    Case(
        name="refill: baclofen next refill after 90 days (stability 77 days)",
        hazard=True,
        request=refill(
            rx(BAC_2000, "300 mcg/day"),
            volume="40 mL",
            next_days=90,
            patient_=SPINAL,
            pump_=pump(SM40, "2.1 mL"),
        ),
        expected={"ITS-REFILL-002": B},
    ),
    Case(
        name="refill: first ziconotide fill with the next refill after 30 days",
        hazard=True,
        request=refill(
            ZICO24, next_days=30, first_fill=True, rinses=3, expected=None, measured=None
        ),
        expected={"ITS-REFILL-003": B},
    ),
    Case(
        name="refill: hydromorphone next refill after 200 days (clinic maximum 180)",
        hazard=True,
        request=refill(rx(HYDRO_10, "0.5 mg/day"), next_days=200),
        expected={"ITS-REFILL-005": W, "ITS-REFILL-009": W},
    ),
    Case(
        name="refill: baclofen, SCI at T4, alarm left at 2 mL",
        hazard=True,
        request=refill(
            BAC300, next_days=25, patient_=spasticity_patient(spinal_cord_injury_level="T4")
        ),
        expected={"ITS-REFILL-006": W},
    ),
    Case(
        name="refill: baclofen, cerebral palsy with communication difficulty, alarm 2 mL",
        hazard=True,
        request=refill(
            rx(BAC_500, "200 mcg/day"),
            next_days=25,
            patient_=spasticity_patient("cerebral", communication_difficulty=True, age_years=19),
        ),
        expected={"ITS-REFILL-006": W},
    ),
    Case(
        name="refill: 1.5 mL less than expected in a 20 mL pump (possible pocket fill)",
        hazard=True,
        request=refill(M4, expected="2 mL", measured="0.5 mL"),
        expected={"ITS-REFILL-007": O},
    ),
    Case(
        name="refill: 3 mL more than expected in a 40 mL pump (stalled pump)",
        hazard=True,
        request=refill(
            rx(MORPHINE_25, "8 mg/day"),
            volume="40 mL",
            next_days=60,
            expected="4 mL",
            measured="7 mL",
            pump_=pump(SM40, "4 mL"),
        ),
        expected={"ITS-REFILL-007": O},
    ),
    Case(
        name="refill: Prometra 18 % under-delivery although under 1 mL",
        hazard=True,
        request=refill(
            rx(MORPHINE_10, "3 mg/day"),
            next_days=40,
            expected="2 mL",
            measured="2.9 mL",
            delivered="5 mL",
            pump_=pump(PROMETRA, "2 mL"),
        ),
        expected={"ITS-REFILL-007": O},
    ),
    Case(
        name="refill: the nurse read 3.5 mL withdrawn, the pump measured 2 mL (20 mL pump)",
        hazard=True,
        request=refill(M4, withdrawn_read="3.5 mL"),
        expected={"ITS-REFILL-013": W},
    ),
    Case(
        name="refill: the nurse read 17 mL injected, the pump was filled with 20 mL",
        hazard=True,
        request=refill(M4, withdrawn_read="2 mL", injected_read="17 mL"),
        expected={"ITS-REFILL-013": W},
    ),
    Case(
        name="refill: next refill after the projected low-reservoir alarm",
        hazard=True,
        request=refill(M4, next_days=50),
        expected={"ITS-REFILL-008": W},
    ),
    Case(
        name="refill: next refill after the pump's end of service",
        hazard=True,
        request=refill(M4, pump_=pump(reservoir="2.1 mL", end_of_service=when(days=20))),
        expected={"ITS-PUMP-004": B},
    ),
    Case(
        name="refill: pump past its ERI",
        hazard=True,
        request=refill(M4, pump_=pump(reservoir="2.1 mL", eri_reached_at=when(days=-10))),
        expected={"ITS-PUMP-003": W},
    ),
    Case(
        name="program change on a pump whose end of service comes before the reservoir empties",
        hazard=True,
        request=program_change(
            M4,
            rx(MORPHINE_10, "4.4 mg/day"),
            pump_=pump(reservoir="15 mL", eri_reached_at=when(days=-80)),
        ),
        expected={"ITS-PUMP-003": W, "ITS-PUMP-004": B},
    ),
    # ------------------------------------------------------------------ limits
    Case(
        name="hydromorphone concentration raised to 20 mg/mL (soft limit 15)",
        hazard=True,
        request=program_change(
            rx(HYDRO_10, "3 mg/day"), rx(mix(("hydromorphone", "20 mg/mL")), "3 mg/day")
        ),
        expected={"ITS-DOSE-002": O, "ITS-GRAN-002": W},
    ),
    Case(
        name="ziconotide 21.6 mcg/day under the US label policy",
        hazard=True,
        request=program_change(
            rx(ZICO_25, "19.2 mcg/day"), rx(ZICO_25, "21.6 mcg/day"), changed_days_ago=7
        ),
        expected={"ITS-DOSE-003": B},
    ),
    Case(
        name="baclofen above the usual maintenance maximum (700 → 840 mcg/day)",
        hazard=True,
        request=program_change(
            rx(BAC_2000, "700 mcg/day"),
            rx(BAC_2000, "840 mcg/day"),
            patient_=SPINAL,
            pump_=pump(SM40, "20 mL"),
        ),
        expected={"ITS-DOSE-004": O},
    ),
    Case(
        name="baclofen above the highest reported maintenance dose (1800 → 2100 mcg/day)",
        hazard=True,
        request=program_change(
            rx(BAC_2000, "1800 mcg/day"),
            rx(BAC_2000, "2100 mcg/day"),
            patient_=SPINAL,
            pump_=pump(SM40, "20 mL"),
        ),
        expected={"ITS-DOSE-004": O},
    ),
    Case(
        name="morphine new start 5 mg/day in an opioid-naive patient",
        hazard=True,
        request=new_start(rx(MORPHINE_10, "5 mg/day")),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="morphine new start 12 mg/day in an opioid-tolerant patient",
        hazard=True,
        request=new_start(rx(MORPHINE_10, "12 mg/day"), patient_=patient()),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="ziconotide new start 5 mcg/day",
        hazard=True,
        request=new_start(rx(ZICO_25, "5 mcg/day")),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="morphine new start with tolerance not recorded (naive range applied)",
        hazard=True,
        request=new_start(rx(MORPHINE_10, "8 mg/day"), patient_=patient(opioid_status=None)),
        expected={"ITS-DOSE-007": B},
    ),
    Case(
        name="worst case with every morphine bolus above 15 mg/day",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "12 mg/day"),
            rx(MORPHINE_10, "12 mg/day", bolus=bolus("1 mg", per_day=6)),
        ),
        expected={"ITS-DOSE-006": O, "ITS-STEP-007": O},
    ),
    Case(
        name="patient bolus programmed for baclofen",
        hazard=True,
        request=program_change(
            BAC300, rx(BAC_500, "300 mcg/day", bolus=bolus("50 mcg")), patient_=SPINAL
        ),
        expected={"ITS-BOLUS-001": B, "ITS-STEP-007": O},
    ),
    # ------------------------------------------------------------------ titration
    Case(
        name="morphine non-cancer +50 % in one step",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "6 mg/day")),
        expected={"ITS-STEP-002": O},
    ),
    Case(
        name="morphine cancer +66.7 % in one step",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "6 mg/day"), rx(MORPHINE_10, "10 mg/day"), patient_=cancer_patient()
        ),
        expected={"ITS-STEP-002": O},
    ),
    Case(
        name="baclofen spinal origin +40 % in one step",
        hazard=True,
        request=program_change(BAC300, rx(BAC_500, "420 mcg/day"), patient_=SPINAL),
        expected={"ITS-STEP-001": B},
    ),
    Case(
        name="baclofen cerebral origin +20 % in one step",
        hazard=True,
        request=program_change(
            rx(BAC_500, "200 mcg/day"),
            rx(BAC_500, "240 mcg/day"),
            patient_=spasticity_patient("cerebral"),
        ),
        expected={"ITS-STEP-001": B},
    ),
    Case(
        name="baclofen increase 12 h after the last one",
        hazard=True,
        request=program_change(
            BAC300, rx(BAC_500, "330 mcg/day"), patient_=SPINAL, changed_days_ago=0.5
        ),
        expected={"ITS-STEP-003": B},
    ),
    Case(
        name="ziconotide +3.6 mcg/day in one step",
        hazard=True,
        request=program_change(ZICO24, rx(ZICO_25, "6 mcg/day"), changed_days_ago=7),
        expected={"ITS-STEP-001": B},
    ),
    Case(
        name="ziconotide increase one day after the last one",
        hazard=True,
        request=program_change(ZICO24, rx(ZICO_25, "4.8 mcg/day"), changed_days_ago=1),
        expected={"ITS-STEP-003": B},
    ),
    Case(
        name="baclofen cut by two thirds in one change",
        hazard=True,
        request=program_change(
            rx(BAC_500, "600 mcg/day"), rx(BAC_500, "200 mcg/day"), patient_=SPINAL
        ),
        expected={"ITS-STEP-005": O},
    ),
    Case(
        name="ziconotide increase with the last change time unknown",
        hazard=True,
        request=program_change(ZICO24, rx(ZICO_25, "4.8 mcg/day"), changed_days_ago=None),
        expected={"ITS-STEP-006": W},
    ),
    Case(
        name="bupivacaine doubled in the admixture at the same morphine dose",
        hazard=True,
        request=program_change(
            rx(TRIPLE, "3 mg/day"),
            rx(
                mix(
                    ("morphine", "10 mg/mL"),
                    ("bupivacaine", "30 mg/mL"),
                    ("clonidine", "300 mcg/mL"),
                ),
                "3 mg/day",
            ),
        ),
        expected={"ITS-STEP-002": O},
    ),
    # ------------------------------------------------------------------ pump
    Case(
        name="hydromorphone new start in a SynchroMed II (not approved)",
        hazard=True,
        request=new_start(rx(HYDRO_10, "0.1 mg/day"), pump_=pump(reservoir="0 mL")),
        expected={"ITS-PUMP-001": O, "ITS-PUMP-002": B, "ITS-GRAN-002": W},
    ),
    Case(
        name="ziconotide new start in a Prometra II (labeled for morphine only)",
        hazard=True,
        request=new_start(rx(ZICO_25, "1.2 mcg/day"), pump_=pump(PROMETRA, "0 mL")),
        expected={"ITS-PUMP-001": O},
    ),
    Case(
        name="morphine 25 mg/mL at 0.5 mg/day: flow below the SynchroMed minimum",
        hazard=True,
        request=new_start(rx(MORPHINE_25, "0.5 mg/day")),
        expected={"ITS-PUMP-002": B, "ITS-GRAN-002": W},
    ),
    Case(
        name="baclofen 25 mcg/mL at 700 mcg/day: flow above the pump maximum",
        hazard=True,
        request=new_start(rx(mix(("baclofen", "25 mcg/mL")), "700 mcg/day"), patient_=SPINAL),
        expected={"ITS-PUMP-002": B, "ITS-DOSE-007": B},
    ),
    Case(
        name="MRI with a Prometra II that was not emptied",
        hazard=True,
        request=mri(PROMETRA, emptied=False),
        expected={"ITS-MRI-001": B, "ITS-MRI-002": I},
    ),
    # ------------------------------------------------------------------ contraindications
    Case(
        name="ziconotide new start with a history of psychosis",
        hazard=True,
        request=new_start(
            rx(ZICO_25, "1.2 mcg/day"),
            patient_=patient(opioid_status="naive", psychosis_history=True),
        ),
        expected={"ITS-CONTRA-001": B},
    ),
    Case(
        name="ziconotide trial with a history of psychosis",
        hazard=True,
        request=trial("ziconotide", "2.5 mcg", patient_=patient(psychosis_history=True)),
        expected={"ITS-CONTRA-001": B},
    ),
    Case(
        name="morphine trial with an active infection",
        hazard=True,
        request=trial("morphine", "0.25 mg", patient_=patient(active_infection=True)),
        expected={"ITS-CONTRA-002": B},
    ),
    Case(
        name="implant with an uncontrolled bleeding diathesis",
        hazard=True,
        request=implant(patient_=patient(uncontrolled_bleeding=True, bleeding_risk=True)),
        expected={"ITS-CONTRA-003": B},
    ),
    Case(
        name="implant on anticoagulation without a plan",
        hazard=True,
        request=implant(patient_=patient(anticoagulated=True)),
        expected={"ITS-CONTRA-004": B},
    ),
    Case(
        name="trial on anticoagulation without a plan",
        hazard=True,
        request=trial("morphine", "0.25 mg", patient_=patient(anticoagulated=True)),
        expected={"ITS-CONTRA-004": B},
    ),
    Case(
        name="implant with an active infection",
        hazard=True,
        request=implant(patient_=patient(active_infection=True)),
        expected={"ITS-CONTRA-002": B},
    ),
    # ------------------------------------------------------------------ trials
    Case(
        name="morphine trial dose typed with an extra zero (0.5 → 5 mg)",
        hazard=True,
        request=trial("morphine", "5 mg"),
        expected={"ITS-TRIAL-001": O},
    ),
    Case(
        name="ziconotide trial dose 25 mcg",
        hazard=True,
        request=trial("ziconotide", "25 mcg"),
        expected={"ITS-TRIAL-001": O},
    ),
    Case(
        name="baclofen screening dose entered in mg (50 mg)",
        hazard=True,
        request=trial("baclofen", "50 mg", patient_=SPINAL),
        expected={"ITS-TRIAL-001": O},
    ),
    Case(
        name="discharge 6 h after a morphine trial (policy 24 h)",
        hazard=True,
        request=discharge("morphine", "0.25 mg", after_hours=6),
        expected={"ITS-TRIAL-002": B},
    ),
    Case(
        name="discharge 2 h after baclofen screening",
        hazard=True,
        request=discharge("baclofen", "50 mcg", after_hours=2, patient_=SPINAL),
        expected={"ITS-TRIAL-002": B},
    ),
    # ------------------------------------------------------------------ granuloma watch
    Case(
        name="morphine up 75 % in a year",
        hazard=True,
        request=program_change(
            rx(MORPHINE_10, "6 mg/day"), rx(MORPHINE_10, "7 mg/day"), year_ago="4 mg/day"
        ),
        expected={"ITS-GRAN-001": W},
    ),
    Case(
        name="morphine new start at 25 mg/mL",
        hazard=True,
        request=new_start(rx(MORPHINE_25, "5 mg/day"), patient_=patient()),
        expected={"ITS-GRAN-002": W},
    ),
    # ------------------------------------------------------------------ who proposes
    Case(
        name="an administrator proposes a program change",
        hazard=True,
        request=program_change(M4, rx(MORPHINE_10, "4.4 mg/day"), role="admin"),
        expected={"ITS-ROLE-001": B},
    ),
    Case(
        name="a nurse proposes a new start",
        hazard=True,
        request=new_start(rx(mix(("morphine", "1 mg/mL")), "0.5 mg/day"), role="nurse"),
        expected={"ITS-ROLE-001": B},
    ),
]

ROUTINE += safety_cases_starts.ROUTINE + safety_cases_care.ROUTINE
HAZARDS += safety_cases_starts.HAZARDS + safety_cases_care.HAZARDS

CASES: list[Case] = ROUTINE + HAZARDS
