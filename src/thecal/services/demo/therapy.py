"""What an intrathecal demo patient is given: candidacy facts, drug, first program, titration.

Choices stay inside the library's limits so the safety review passes them (warnings are
acknowledged by the signer, as a clinician would after reading them):

* pain → morphine, the drug every pump model is approved for (S35, S59): 10 mg/mL, or 25 mg/mL
  for cancer pain (both commercial strengths, S3); the patients are opioid-tolerant (oral
  oxycodone 40–80 mg/day, ≥ 60 MME, S22), so the start is 1–2 mg/day (cancer 2–4 mg/day: at
  25 mg/mL the pump's 0.048 mL/day minimum needs ≥ 1.2 mg/day, S12), inside the tolerant starting
  range 1–10 mg/day (S3); PTM boluses of 0.05–0.1 mg, 4 h lockout, 3 a day (S52 allows them);
* spasticity → baclofen 2000 mcg/mL (a commercial strength, S17, S36) on a SynchroMed II (S35),
  150–250 mcg/day (0.075–0.125 mL/day, above the pump's 0.048 mL/day minimum, S12), no patient
  boluses (baclofen forbids them, peers:PTC6);
* a titration raises the dose 10–25 %, under the consensus 30 % step (S74) and the baclofen label's
  30 % per 24 h (S19), at least two weeks apart.
"""

from __future__ import annotations

import random
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.candidacy import (
    CancerCategory,
    CancerStatus,
    CandidacyDetails,
    ContraindicationChecklist,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
    SystemicMedication,
)
from thecal.domain.program import (
    DAY,
    FlexStep,
    InfusionProgram,
    PatientBolusSettings,
    PeriodicBolus,
    ProgramMode,
)
from thecal.domain.units import Concentration, DoseRate, Duration, Mass

__all__ = [
    "candidacy_details",
    "first_program",
    "flex_titrated",
    "periodic_of",
    "titrated",
    "uses_baclofen",
]

_MECHANISMS = {
    Indication.FAILED_BACK_SURGERY_SYNDROME: PainMechanism.MIXED,
    Indication.CANCER_PAIN: PainMechanism.MIXED,
    Indication.CRPS: PainMechanism.NEUROPATHIC,
    Indication.PHANTOM_LIMB_PAIN: PainMechanism.NEUROPATHIC,
    Indication.POST_HERPETIC_NEURALGIA: PainMechanism.NEUROPATHIC,
    Indication.NEUROPATHY_DIABETES: PainMechanism.NEUROPATHIC,
    Indication.SPASTICITY: PainMechanism.NEUROPATHIC,
}
_WHOLE_MCG = Decimal(1)


def uses_baclofen(indication: Indication) -> bool:
    return indication is Indication.SPASTICITY


def candidacy_details(indication: Indication, rng: random.Random) -> CandidacyDetails:
    """A candidacy assessment a clinician would write for this indication."""
    cancer = None
    if indication is Indication.CANCER_PAIN:
        cancer = CancerStatus(
            category=rng.choice((CancerCategory.PALLIATIVE, CancerCategory.STABLE)),
            life_expectancy_months=rng.randint(4, 24),
        )
    if uses_baclofen(indication):
        medications: tuple[SystemicMedication, ...] = (
            SystemicMedication(
                drug="baclofen (oral)",
                daily_dose=DoseRate.from_mg_per_day(rng.choice((60, 80))),
                opioid=False,
            ),
        )
    else:
        medications = (
            SystemicMedication(
                drug="oxycodone",
                daily_dose=DoseRate.from_mg_per_day(rng.choice((40, 60, 80))),
                opioid=True,
            ),
            SystemicMedication(
                drug="pregabalin", daily_dose=DoseRate.from_mg_per_day(300), opioid=False
            ),
        )
    return CandidacyDetails(
        indication=indication,
        indication_detail="",
        mechanism=_MECHANISMS.get(indication, PainMechanism.MIXED),
        breadth=rng.choice((PainBreadth.LOCALIZED, PainBreadth.DIFFUSE)),
        cancer=cancer,
        conservative_therapy_months=rng.randint(6, 48),
        oral_medication_months=rng.randint(6, 36),
        psych_evaluation=PsychEvaluation.CLEARED,
        contraindications=ContraindicationChecklist(),
        medications=medications,
    )


def first_program(indication: Indication, rng: random.Random) -> InfusionProgram:
    """The program set at implant (continuous; PTM boluses for morphine)."""
    if uses_baclofen(indication):
        baclofen = Admixture.single("baclofen", Concentration.from_mcg_per_ml(2000))
        dose = DoseRate.from_mcg_per_day(rng.choice((150, 200, 250)))
        return InfusionProgram.continuous(baclofen, dose)
    cancer = indication is Indication.CANCER_PAIN
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25 if cancer else 10))
    doses = (
        (Decimal(2), Decimal(3), Decimal(4)) if cancer else (Decimal(1), Decimal("1.5"), Decimal(2))
    )
    dose = DoseRate.from_mg_per_day(rng.choice(doses))
    bolus = PatientBolusSettings(
        dose=Mass.from_mg(rng.choice((Decimal("0.05"), Decimal("0.1")))),
        duration=Duration.minutes(10),
        lockout=Duration.hours(4),
        max_per_day=3,
    )
    return InfusionProgram.continuous(morphine, dose, patient_bolus=bolus)


def titrated(program: InfusionProgram, rng: random.Random) -> InfusionProgram:
    """A continuous program at the daily dose raised 10–25 % (to the microgram); a flex or
    periodic program's average daily dose is the one raised."""
    factor = Decimal(100 + rng.randint(10, 25)) / 100
    new_rate = DoseRate((program.basal_daily_dose.value * factor).quantize(_WHOLE_MCG))
    return InfusionProgram.continuous(
        program.admixture,
        new_rate,
        patient_bolus=program.patient_bolus,
        low_reservoir_alarm=program.low_reservoir_alarm,
    )


def flex_titrated(program: InfusionProgram, rng: random.Random) -> InfusionProgram:
    """A flex titration over the day: the night rate kept, the day (07:00–22:00) raised 10–25 %
    (to the microgram), for pain that is worse while the patient is up."""
    night = DoseRate(program.basal_daily_dose.value.quantize(_WHOLE_MCG))
    factor = Decimal(100 + rng.randint(10, 25)) / 100
    day = DoseRate((night.value * factor).quantize(_WHOLE_MCG))
    return InfusionProgram(
        mode=ProgramMode.FLEX,
        admixture=program.admixture,
        steps=(
            FlexStep(start=Duration.hours(0), rate=night),
            FlexStep(start=Duration.hours(7), rate=day),
            FlexStep(start=Duration.hours(22), rate=night),
        ),
        cycle=DAY,
        patient_bolus=program.patient_bolus,
        low_reservoir_alarm=program.low_reservoir_alarm,
    )


def periodic_of(program: InfusionProgram) -> InfusionProgram:
    """The same daily dose as four periodic boluses, each over 30 minutes every 6 hours (a pump
    model that runs periodic boluses: the Prometra's "Periodic Flow")."""
    dose = Mass((program.basal_daily_dose.value / 4).quantize(_WHOLE_MCG))
    return InfusionProgram(
        mode=ProgramMode.PERIODIC_BOLUS,
        admixture=program.admixture,
        periodic=PeriodicBolus(dose=dose, duration=Duration.minutes(30), every=Duration.hours(6)),
        patient_bolus=program.patient_bolus,
        low_reservoir_alarm=program.low_reservoir_alarm,
    )
