"""The review context: everything the safety review looks at, as typed values.

Built from a JSON request by :mod:`thecal.domain.safety.request` (or directly by a service:
``services/review_context.py``). Time is passed in (``at``, timezone-aware); nothing here reads a
clock. A program change or a refill with a new prescription carries both the pump's current
therapy (``current``) and the proposed one (``proposal.prescription``): every drug of the proposal
that the current admixture lacks is a new start for that drug (:attr:`ReviewContext.new_drugs`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.dosing import PrimingMode
from thecal.domain.drug_limits import TitrationPhase
from thecal.domain.program import DAY, FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.safety.patient_facts import (
    Indication,
    OpioidStatus,
    Patient,
    RiskFacts,
    SpasticityOrigin,
    spinal_level_rank,
)
from thecal.domain.units import DoseRate, Duration, Mass, Volume

__all__ = [
    "ActionKind",
    "CatheterState",
    "CurrentTherapy",
    "DischargeCheck",
    "Indication",
    "MonitoringPlan",
    "MriPlan",
    "OpioidStatus",
    "Patient",
    "Prescription",
    "PrimingPlan",
    "Proposal",
    "Proposer",
    "PumpState",
    "Refill",
    "ReviewContext",
    "RiskFacts",
    "Role",
    "SpasticityOrigin",
    "TrialDose",
    "spinal_level_rank",
]


class ActionKind(Enum):
    NEW_START = "new-start"
    PROGRAM_CHANGE = "program-change"
    REFILL = "refill"
    TRIAL = "trial"
    TRIAL_DISCHARGE = "trial-discharge"
    IMPLANT = "implant"
    CATHETER_REVISION = "catheter-revision"
    MRI = "mri"


class Role(Enum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    ADMIN = "admin"
    PATIENT = "patient"


@dataclass(frozen=True, slots=True, kw_only=True)
class CatheterState:
    """The implanted catheter: model, length and, when measured, its dead-space volume."""

    model: str
    implanted_length_cm: Decimal
    volume: Volume | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpState:
    """The implanted pump as it is now (``next_refill_at``: the refill on the record)."""

    model: str
    reservoir: Volume
    low_reservoir_alarm: Volume | None = None
    catheter: CatheterState | None = None
    implanted_on: dt.date | None = None
    eri_reached_at: dt.datetime | None = None
    end_of_service: dt.datetime | None = None
    next_refill_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Prescription:
    """A signed order: admixture, daily dose of the primary drug (or flex steps), patient bolus.

    ``intended`` holds the daily dose the prescriber meant for each component, where stated: the
    review checks it against what the admixture actually delivers at the primary drug's flow.
    """

    admixture: Admixture
    daily_dose: DoseRate
    steps: tuple[FlexStep, ...] = ()
    patient_bolus: PatientBolusSettings | None = None
    intended: tuple[tuple[str, DoseRate], ...] = ()
    #: The whole program where it is more than a continuous dose or a daily flex schedule (a weekly
    #: flex cycle, a periodic or a single bolus): the review then checks that program.
    schedule: InfusionProgram | None = None

    def program(self) -> InfusionProgram:
        """The pump program this prescription describes (continuous, or flex over a day, or the
        whole ``schedule``)."""
        if self.schedule is not None:
            return self.schedule
        if self.steps:
            return InfusionProgram(
                mode=ProgramMode.FLEX,
                admixture=self.admixture,
                steps=self.steps,
                cycle=DAY,
                patient_bolus=self.patient_bolus,
            )
        return InfusionProgram.continuous(
            self.admixture, self.daily_dose, patient_bolus=self.patient_bolus
        )

    def component_doses(self) -> dict[str, DoseRate]:
        """Daily dose of every component (primary dose ÷ primary concentration × c) on the day the
        program delivers the most: the day's total for a continuous or daily flex program, the
        worst 24 h of a weekly one, every bolus in full for a periodic or single bolus
        (:attr:`~thecal.domain.program.InfusionProgram.peak_daily_dose`), so that the dose limits
        and titration rules see a bolus in the day it is given."""
        return self.admixture.doses_at(self.admixture.flow_for(self.program().peak_daily_dose))


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentTherapy:
    """What the patient receives now; ``titration_phase`` None means not stated (the stricter
    limits of both phases apply)."""

    prescription: Prescription
    last_dose_change_at: dt.datetime | None = None
    daily_dose_year_ago: DoseRate | None = None
    titration_phase: TitrationPhase | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposer:
    user_id: str
    role: Role


@dataclass(frozen=True, slots=True, kw_only=True)
class Refill:
    """A refill about to be done (``verified_by``: the pharmacist who verified the admixture;
    ``rinses``: reservoir rinses before a first fill)."""

    volume: Volume
    admixture: Admixture
    verified_admixture: Admixture | None
    programmed_admixture: Admixture | None
    aspiration_confirmed: bool
    expected_residual: Volume | None
    measured_residual: Volume | None
    expected_delivered: Volume | None
    next_refill_at: dt.datetime
    first_fill: bool = False
    verified_by: Proposer | None = None
    rinses: int | None = None
    #: the volumes the nurse read off the syringes (clinical.md §11 rule 8), when recorded
    withdrawn_as_read: Volume | None = None
    injected_as_read: Volume | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeCheck:
    """The latest observation before a trial discharge: POSS sedation (``"S"``, ``"1"``…``"4"``),
    respiratory rate (/min) and SpO2 (%); None where not recorded."""

    sedation: str | None = None
    respiratory_rate: int | None = None
    spo2_pct: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialDose:
    """A single intrathecal trial (screening) bolus."""

    drug: str
    dose: Mass
    dosed_at: dt.datetime | None = None
    discharge_at: dt.datetime | None = None
    latest: DischargeCheck | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MriPlan:
    planned_at: dt.datetime
    pump_emptied: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoringPlan:
    """After an opioid start or increase: how long respiration is monitored, and whether
    naloxone is at hand (None: not stated)."""

    respiratory: Duration | None = None
    naloxone_available: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimingPlan:
    """A priming bolus: what is empty (``mode``) and the volume to be primed (None: the computed
    volume)."""

    mode: PrimingMode
    volume: Volume | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """What is proposed: any of a new prescription, the programmer entry, a refill, a trial dose,
    an MRI plan, a priming bolus; with the facts the start rules need."""

    prescription: Prescription | None = None
    programmed_admixture: Admixture | None = None
    refill: Refill | None = None
    trial: TrialDose | None = None
    mri: MriPlan | None = None
    priming: PrimingPlan | None = None
    monitoring: MonitoringPlan | None = None
    effective_screening_dose: Mass | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewContext:
    """Everything one safety review looks at."""

    action: ActionKind
    at: dt.datetime
    proposer: Proposer
    patient: Patient
    pump: PumpState | None
    current: CurrentTherapy | None
    proposal: Proposal
    acknowledged: frozenset[str] = frozenset()

    @property
    def new_prescription(self) -> Prescription | None:
        """The prescription that will run after this action (new if proposed, else current)."""
        if self.proposal.prescription is not None:
            return self.proposal.prescription
        return self.current.prescription if self.current else None

    @property
    def elapsed_since_last_change(self) -> Duration | None:
        if self.current is None or self.current.last_dose_change_at is None:
            return None
        return Duration.from_timedelta(self.at - self.current.last_dose_change_at)

    @property
    def current_drugs(self) -> tuple[str, ...]:
        """The drugs in the pump now (none for a new start)."""
        if self.action is ActionKind.NEW_START or self.current is None:
            return ()
        return self.current.prescription.admixture.drug_ids

    @property
    def new_drugs(self) -> tuple[str, ...]:
        """Drugs of the proposed prescription the pump does not hold now: each is a new start."""
        proposed = self.proposal.prescription
        if proposed is None or self.action not in _DOSING:
            return ()
        current = set(self.current_drugs)
        return tuple(d for d in proposed.admixture.drug_ids if d not in current)

    @property
    def removed_drugs(self) -> tuple[str, ...]:
        """Drugs in the pump now that the proposed prescription leaves out."""
        proposed = self.proposal.prescription
        if proposed is None or self.action not in _DOSING:
            return ()
        kept = set(proposed.admixture.drug_ids)
        return tuple(d for d in self.current_drugs if d not in kept)


_DOSING = frozenset({ActionKind.NEW_START, ActionKind.PROGRAM_CHANGE, ActionKind.REFILL})
