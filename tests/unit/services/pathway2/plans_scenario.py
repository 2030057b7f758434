"""Commands for the trial, MRI and patient-bolus tests (unit and integration share them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pathway_scenario import MORPHINE_25, PATIENT_ID, PHYSICIAN, actor, implant

from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.trial import Sedation, TrialBaseline, TrialObservation, TrialRoute, Vitals
from thecal.domain.units import DoseRate, Duration, Mass, Volume
from thecal.services.pumps import ImplantPump
from thecal.services.trials import PlanTrial

PROMETRA_SERIAL = "PII-000777"


def plan_morphine_trial(
    at: dt.datetime, *, dose_mg: str = "0.3", ident: str = "trial-1"
) -> PlanTrial:
    return PlanTrial(
        actor=actor(PHYSICIAN),
        patient_id=PATIENT_ID,
        drug_id="morphine",
        dose=Mass.from_mg(Decimal(dose_mg)),
        route=TrialRoute.IT_BOLUS,
        spinal_level="L3-L4",
        baseline=TrialBaseline(at=at, pain_nrs=8, function_score=30),
        trial_id=ident,
    )


def observation(
    at: dt.datetime, *, pain: int = 3, sedation: Sedation = Sedation.AWAKE
) -> TrialObservation:
    return TrialObservation(
        at=at,
        pain_nrs=pain,
        function_score=50,
        vitals=Vitals(respiratory_rate=14, spo2_pct=97, heart_rate=72, systolic_bp=128),
        sedation=sedation,
        side_effects=("pruritus",),
    )


def prometra_implant() -> ImplantPump:
    base = implant(serial=PROMETRA_SERIAL, pump_id="pump-prometra")
    return ImplantPump(
        actor=base.actor,
        patient_id=base.patient_id,
        pump_model_id="prometra-ii-20",
        pump_serial=PROMETRA_SERIAL,
        catheter_model_id="prometra-catheter",
        catheter_length_cm=Decimal(50),
        catheter_tip_level="T10",
        initial_fill=MORPHINE_25,
        fill_volume=Volume.from_ml(20),
        initial_program=base.initial_program,
        pump_id="pump-prometra",
    )


def with_patient_bolus(base: ImplantPump) -> ImplantPump:
    """The same implant, its program allowing a 0.1 mg patient bolus every 4 h, 3 a day."""
    program = InfusionProgram.continuous(
        MORPHINE_25,
        DoseRate.from_mg_per_day(Decimal(5)),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mg(Decimal("0.1")),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=3,
        ),
    )
    return ImplantPump(
        actor=base.actor,
        patient_id=base.patient_id,
        pump_model_id=base.pump_model_id,
        pump_serial=base.pump_serial,
        catheter_model_id=base.catheter_model_id,
        catheter_length_cm=base.catheter_length_cm,
        catheter_tip_level=base.catheter_tip_level,
        initial_fill=base.initial_fill,
        fill_volume=base.fill_volume,
        initial_program=program,
        pump_id=base.pump_id,
    )
