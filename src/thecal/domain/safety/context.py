"""The review context: everything the safety review looks at, as typed values.

Built from a JSON request by :mod:`thecal.domain.safety.request` (or directly by a service). Time
is passed in (``at``, timezone-aware); nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.program import DAY, FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.units import DoseRate, Duration, Mass, Volume

__all__ = [
    "ActionKind",
    "CatheterState",
    "CurrentTherapy",
    "Indication",
    "MriPlan",
    "OpioidStatus",
    "Patient",
    "Prescription",
    "Proposal",
    "Proposer",
    "PumpState",
    "Refill",
    "ReviewContext",
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
    MRI = "mri"


class Role(Enum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    ADMIN = "admin"
    PATIENT = "patient"


class Indication(Enum):
    CANCER_PAIN = "cancer-pain"
    NON_CANCER_PAIN = "non-cancer-pain"
    SPASTICITY = "spasticity"


class OpioidStatus(Enum):
    NAIVE = "naive"
    TOLERANT = "tolerant"


class SpasticityOrigin(Enum):
    SPINAL = "spinal"
    CEREBRAL = "cerebral"


_LEVEL = re.compile(r"^(C|T|L|S)([1-9]|1[0-2])$")
_SEGMENT_BASE = {"C": 0, "T": 8, "L": 20, "S": 25}
_SEGMENT_COUNT = {"C": 8, "T": 12, "L": 5, "S": 5}


def spinal_level_rank(level: str) -> int | None:
    """Position of a spinal cord level from the top (C1 = 1, T6 = 14, L1 = 21); None if invalid."""
    match = _LEVEL.match(level)
    if match is None:
        return None
    region, number = match.group(1), int(match.group(2))
    if number > _SEGMENT_COUNT[region]:
        return None
    return _SEGMENT_BASE[region] + number


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The patient facts the rules need."""

    age_years: int
    indication: Indication
    cancer: bool
    opioid_status: OpioidStatus | None = None
    psychosis_history: bool = False
    spasticity_origin: SpasticityOrigin | None = None
    spinal_cord_injury_level: str | None = None
    communication_difficulty: bool = False
    previous_withdrawal: bool = False
    active_infection: bool = False
    bleeding_risk: bool = False
    uncontrolled_bleeding: bool = False
    anticoagulated: bool = False
    anticoagulation_plan: bool = False

    def withdrawal_risk_factors(self, high_risk_level: str) -> tuple[str, ...]:
        """The S18 high withdrawal-risk factors present (SCI at or above ``high_risk_level``, …)."""
        factors: list[str] = []
        limit = spinal_level_rank(high_risk_level)
        if self.spinal_cord_injury_level is not None and limit is not None:
            rank = spinal_level_rank(self.spinal_cord_injury_level)
            if rank is not None and rank <= limit:
                factors.append(f"spinal cord injury at {self.spinal_cord_injury_level}")
        if self.communication_difficulty:
            factors.append("communication difficulty")
        if self.previous_withdrawal:
            factors.append("previous withdrawal")
        return tuple(factors)


@dataclass(frozen=True, slots=True, kw_only=True)
class CatheterState:
    model: str
    implanted_length_cm: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpState:
    """The implanted pump as it is now."""

    model: str
    reservoir: Volume
    low_reservoir_alarm: Volume | None = None
    catheter: CatheterState | None = None
    implanted_on: dt.date | None = None
    eri_reached_at: dt.datetime | None = None
    end_of_service: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Prescription:
    """A signed order: admixture, daily dose of the primary drug (or flex steps), patient bolus."""

    admixture: Admixture
    daily_dose: DoseRate
    steps: tuple[FlexStep, ...] = ()
    patient_bolus: PatientBolusSettings | None = None

    def program(self) -> InfusionProgram:
        """The pump program this prescription describes (continuous, or flex over a day)."""
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
        """Average daily dose of every component (primary dose ÷ primary concentration × c)."""
        return self.admixture.doses_at(self.admixture.flow_for(self.program().basal_daily_dose))


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentTherapy:
    """What the patient receives now."""

    prescription: Prescription
    last_dose_change_at: dt.datetime | None = None
    daily_dose_year_ago: DoseRate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Refill:
    """A refill about to be done."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialDose:
    """A single intrathecal trial (screening) bolus."""

    drug: str
    dose: Mass
    dosed_at: dt.datetime | None = None
    discharge_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MriPlan:
    planned_at: dt.datetime
    pump_emptied: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """What is proposed: any of a new prescription, the programmer entry, a refill, a trial dose,
    an MRI plan."""

    prescription: Prescription | None = None
    programmed_admixture: Admixture | None = None
    refill: Refill | None = None
    trial: TrialDose | None = None
    mri: MriPlan | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposer:
    user_id: str
    role: Role


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
