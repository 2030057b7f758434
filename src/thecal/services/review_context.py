"""Build the safety review's :class:`ReviewContext` from the stored records.

The patient facts come from the patient record (age at the review time) and the newest candidacy
assessment (indication, cancer, contraindications, systemic opioids); the pump facts from the
:class:`~thecal.services.pump_record.Pump` (the reservoir as the record estimates it at the review
time, the refill on the record); the current therapy from the program the pump was last confirmed
to run. A program change or a refill passes both that current program and the proposed one, so
every drug the proposal adds is reviewed as a new start and an opioid switch as a rotation
(``docs/review-format.md``, "Reviewing from a service"). Without a candidacy assessment the
patient is reviewed as non-cancer pain, opioid status unknown (the rules then use their most
cautious branch; a patient on an intrathecal opioid counts as tolerant to it).

Opioid tolerance: ≥ 60 mg oral morphine equivalents a day — the FDA "opioid tolerant" definition
of the extended-release opioid labels. It is not among clinical.md's sources, so it is marked
unconfirmed [U] here and must be verified by the clinic.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from thecal.domain.candidacy import Contraindication
from thecal.domain.candidacy import Indication as CandidacyIndication
from thecal.domain.forecast import volume_left
from thecal.domain.patient import PatientNotFound
from thecal.domain.program import DAY, InfusionProgram, ProgramMode
from thecal.domain.safety.context import (
    CatheterState,
    Indication,
    OpioidStatus,
    Patient,
    Prescription,
    Proposer,
    PumpState,
    Role,
)
from thecal.domain.units import Duration
from thecal.domain.users import Actor
from thecal.services.pump_record import Pump
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "OPIOID_TOLERANT_MME_MG_PER_DAY",
    "patient_facts",
    "prescription_of",
    "proposer",
    "pump_state",
]

#: FDA "opioid tolerant": at least 60 mg oral morphine (equivalents) a day for a week — from the
#: extended-release opioid labels, not from clinical.md: unconfirmed [U], verify before relying on it.
OPIOID_TOLERANT_MME_MG_PER_DAY = Decimal(60)


def proposer(actor: Actor) -> Proposer:
    return Proposer(user_id=actor.user_id, role=Role(actor.role.value))


def patient_facts(uow: AbstractUnitOfWork, patient_id: str, at: dt.datetime) -> Patient:
    """The patient as the rules see them at ``at`` (inside an open unit of work)."""
    patient = uow.patients.get(patient_id)
    if patient is None:
        raise PatientNotFound(ident=patient_id)
    born = patient.demographics.birth_date
    today = at.date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assessments = uow.candidacy.for_patient(patient_id)
    if not assessments:
        return Patient(age_years=age, indication=Indication.NON_CANCER_PAIN, cancer=False)
    details = assessments[0].details
    cancer = details.indication is CandidacyIndication.CANCER_PAIN
    present = details.contraindications.present
    tolerant = assessments[0].mme.total_mg_per_day >= OPIOID_TOLERANT_MME_MG_PER_DAY
    return Patient(
        age_years=age,
        indication=Indication.CANCER_PAIN if cancer else Indication.NON_CANCER_PAIN,
        cancer=cancer,
        opioid_status=OpioidStatus.TOLERANT if tolerant else OpioidStatus.NAIVE,
        psychosis_history=Contraindication.PSYCHOSIS_HISTORY in present,
        active_infection=Contraindication.ACTIVE_INFECTION in present,
        uncontrolled_bleeding=Contraindication.UNCONTROLLED_BLEEDING in present,
        anticoagulated=Contraindication.ANTICOAGULATION in present,
        anticoagulation_plan=bool(details.contraindications.anticoagulation_plan.strip()),
    )


def pump_state(pump: Pump, *, at: dt.datetime | None = None) -> PumpState:
    """The pump as the review sees it; with ``at``, the reservoir is the record's estimate then
    (the last fill less the program's basal flow since, :func:`~thecal.domain.forecast.volume_left`),
    otherwise the volume of the last fill."""
    reservoir = pump.reservoir_volume
    if at is not None and at > pump.last_filled_at:
        reservoir = volume_left(
            filled=pump.reservoir_volume,
            flow=pump.program.basal_flow,
            elapsed=Duration.from_timedelta(at - pump.last_filled_at),
        )
    return PumpState(
        model=pump.model_id,
        reservoir=reservoir,
        low_reservoir_alarm=pump.program.low_reservoir_alarm,
        catheter=CatheterState(
            model=pump.catheter_model_id, implanted_length_cm=pump.catheter_length_cm
        ),
        implanted_on=pump.implanted_at.date(),
        next_refill_at=pump.next_refill_due,
    )


def prescription_of(program: InfusionProgram) -> Prescription:
    """The prescription ``program`` carries out; a weekly flex, periodic or single bolus program
    goes along whole so that the review checks every bolus and step (not an average)."""
    steps = program.steps if program.mode is ProgramMode.FLEX else ()
    whole = program.mode in (ProgramMode.PERIODIC_BOLUS, ProgramMode.SINGLE_BOLUS) or (
        program.mode is ProgramMode.FLEX and program.cycle != DAY
    )
    return Prescription(
        admixture=program.admixture,
        daily_dose=program.basal_daily_dose,
        steps=steps,
        patient_bolus=program.patient_bolus,
        schedule=program if whole else None,
    )
