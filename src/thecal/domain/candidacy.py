"""A candidacy assessment for intrathecal therapy, with its PACC decision keys.

Structured fields follow clinical.md §1.4 and §8: indication, pain *mechanism*
(nociceptive/neuropathic/mixed), *breadth* (localized/diffuse), *etiology* (cancer category 1–3 with
life expectancy, or non-cancer), months of failed conservative care and of oral medication, the
psychological evaluation, a contraindication checklist and the systemic medication list with its
oral MME (computed with a versioned factor table whose id is recorded).

:meth:`CandidacyAssessment.concerns` lists what the candidacy checklist (clinical.md §11 rule 6)
would question. They are information for the deciding physician, not a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum

from thecal.domain.errors import Conflict, NotFound, RequestInvalid
from thecal.domain.mme import MmeTable, OpioidDose, calculate_mme
from thecal.domain.units import DoseRate

__all__ = [
    "CancerCategory",
    "CancerStatus",
    "CandidacyAssessment",
    "CandidacyConcern",
    "CandidacyDetails",
    "CandidacyInvalid",
    "CandidacyNotFound",
    "Contraindication",
    "ContraindicationChecklist",
    "Indication",
    "MmeSummary",
    "PainBreadth",
    "PainMechanism",
    "PsychEvaluation",
    "StaleCandidacyVersion",
    "SystemicMedication",
    "summarise_mme",
]

MIN_CONSERVATIVE_MONTHS = 6  # non-cancer, S40
MIN_LIFE_EXPECTANCY_MONTHS = 3  # fully implanted system, S126
MAX_MONTHS = 1200


class Indication(StrEnum):
    CRPS = "complex_regional_pain_syndrome"
    CANCER_PAIN = "cancer_pain"
    PHANTOM_LIMB_PAIN = "phantom_limb_pain"
    POST_HERPETIC_NEURALGIA = "post_herpetic_neuralgia"
    CARPAL_TUNNEL_SYNDROME = "carpal_tunnel_syndrome"
    FAILED_BACK_SURGERY_SYNDROME = "failed_back_surgery_syndrome"
    NEUROPATHY_DIABETES = "peripheral_neuropathy_diabetes"
    NEUROPATHY_VITAMIN_DEFICIENCY = "peripheral_neuropathy_vitamin_deficiency"
    SPASTICITY = "spasticity"
    OTHER = "other"


class PainMechanism(StrEnum):
    NOCICEPTIVE = "nociceptive"
    NEUROPATHIC = "neuropathic"
    MIXED = "mixed"


class PainBreadth(StrEnum):
    LOCALIZED = "localized"
    DIFFUSE = "diffuse"


class CancerCategory(IntEnum):
    """PACC 2017 (S5): 1 short life expectancy/palliation, 2 stable or slow disease, 3 remission."""

    PALLIATIVE = 1
    STABLE = 2
    REMISSION = 3


class PsychEvaluation(StrEnum):
    CLEARED = "cleared"
    NOT_CLEARED = "not_cleared"
    PENDING = "pending"


class Contraindication(StrEnum):
    """Checklist items from the labels and consensus (clinical.md §8.2)."""

    ACTIVE_INFECTION = "active_infection"
    UNCONTROLLED_BLEEDING = "uncontrolled_bleeding"
    ANTICOAGULATION = "anticoagulation"
    PSYCHOSIS_HISTORY = "psychosis_history"
    SPINAL_CANAL_OBSTRUCTION = "spinal_canal_obstruction"
    RESPIRATORY_DEPRESSION = "respiratory_depression"
    MAOI_WITHIN_14_DAYS = "maoi_within_14_days"
    GI_OBSTRUCTION = "gi_obstruction"
    INSUFFICIENT_BODY_SIZE = "insufficient_body_size"
    DRUG_OR_DEVICE_ALLERGY = "drug_or_device_allergy"
    ACTIVE_SUBSTANCE_MISUSE = "active_substance_misuse"


class CandidacyInvalid(RequestInvalid):
    code = "THC-CAND-001"
    template = "invalid candidacy assessment {where}: {detail}"


class CandidacyNotFound(NotFound):
    code = "THC-CAND-002"
    template = "candidacy assessment {ident} not found"


class StaleCandidacyVersion(Conflict):
    code = "THC-CAND-003"
    template = "candidacy assessment {ident} is at version {current}, not {expected}"


def _months(value: int, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MONTHS:
        raise CandidacyInvalid(where=where, detail=f"must be whole months 0–{MAX_MONTHS}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CancerStatus:
    category: CancerCategory
    life_expectancy_months: int | None  # None: not estimated

    def __post_init__(self) -> None:
        if self.life_expectancy_months is not None:
            _months(self.life_expectancy_months, "life_expectancy_months")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContraindicationChecklist:
    """Every item was asked; ``present`` holds the ones that apply."""

    present: frozenset[Contraindication] = frozenset()
    anticoagulation_plan: str = ""

    def __post_init__(self) -> None:
        anticoagulated = Contraindication.ANTICOAGULATION in self.present
        if anticoagulated and not self.anticoagulation_plan.strip():
            raise CandidacyInvalid(
                where="anticoagulation_plan",
                detail="required when the patient is anticoagulated (ASRA high-risk procedure)",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemicMedication:
    """A current systemic medication; opioids count towards the MME."""

    drug: str
    daily_dose: DoseRate
    opioid: bool

    def __post_init__(self) -> None:
        if not self.drug.strip():
            raise CandidacyInvalid(where="medication", detail="drug name is required")


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeSummary:
    """Total oral MME (mg/day), the factor table used, and each opioid line's MME in list order."""

    total_mg_per_day: Decimal
    table_id: str
    per_drug_mg_per_day: tuple[tuple[str, Decimal], ...]


def summarise_mme(medications: Sequence[SystemicMedication], table: MmeTable) -> MmeSummary:
    """Compute MME over the opioids with ``table`` (``thecal.domain.mme.calculate_mme``).

    Raises:
        CandidacyInvalid: an opioid the table excludes (buprenorphine), with the table's reason:
            every opioid line has its MME, so it is recorded as a non-opioid medication instead.
    """
    result = calculate_mme(
        [OpioidDose(drug=m.drug, daily_dose=m.daily_dose) for m in medications if m.opioid],
        table,
    )
    if result.excluded:
        exclusion = result.excluded[0]
        raise CandidacyInvalid(
            where=f"medication {exclusion.drug}",
            detail=f"{exclusion.reason}; record it without the opioid flag",
        )
    return MmeSummary(
        total_mg_per_day=result.total_mme,
        table_id=result.table_id,
        per_drug_mg_per_day=tuple((line.drug, line.mme) for line in result.lines),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidacyConcern:
    code: str
    message: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidacyDetails:
    """The clinical content of an assessment (what a clinician enters)."""

    indication: Indication
    indication_detail: str
    mechanism: PainMechanism
    breadth: PainBreadth
    cancer: CancerStatus | None
    conservative_therapy_months: int
    oral_medication_months: int
    psych_evaluation: PsychEvaluation
    contraindications: ContraindicationChecklist
    medications: tuple[SystemicMedication, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        if self.indication is Indication.OTHER and not self.indication_detail.strip():
            raise CandidacyInvalid(where="indication_detail", detail="required for 'other'")
        if self.indication is Indication.CANCER_PAIN and self.cancer is None:
            raise CandidacyInvalid(where="cancer", detail="category required for cancer pain")
        _months(self.conservative_therapy_months, "conservative_therapy_months")
        _months(self.oral_medication_months, "oral_medication_months")


@dataclass(kw_only=True, eq=False)
class CandidacyAssessment:
    """One assessment of one patient. Entities compare by id; updates bump ``version``."""

    id: str
    patient_id: str
    assessed_at: dt.datetime
    assessed_by: str
    details: CandidacyDetails
    mme: MmeSummary
    version: int = 1

    def __post_init__(self) -> None:
        if self.assessed_at.utcoffset() is None:
            raise CandidacyInvalid(where="assessed_at", detail="must be timezone-aware")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CandidacyAssessment) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def revise(
        self,
        details: CandidacyDetails,
        mme: MmeSummary,
        *,
        expected_version: int,
        at: dt.datetime,
        by: str,
    ) -> None:
        if expected_version != self.version:
            raise StaleCandidacyVersion(
                ident=self.id, current=self.version, expected=expected_version
            )
        self.details, self.mme = details, mme
        self.assessed_at, self.assessed_by = at, by
        self.version += 1

    def concerns(self) -> tuple[CandidacyConcern, ...]:
        """What the candidacy checklist (clinical.md §11 rule 6) would question."""
        d = self.details
        found: list[CandidacyConcern] = []
        non_cancer = d.cancer is None
        if non_cancer and d.indication is not Indication.SPASTICITY:
            if d.conservative_therapy_months < MIN_CONSERVATIVE_MONTHS:
                found.append(
                    CandidacyConcern(
                        code="CAND-CONSERVATIVE",
                        message=f"{d.conservative_therapy_months} months of failed conservative care; ≥ {MIN_CONSERVATIVE_MONTHS} expected for non-cancer pain",
                        source="S40",
                    )
                )
            if d.psych_evaluation is not PsychEvaluation.CLEARED:
                found.append(
                    CandidacyConcern(
                        code="CAND-PSYCH",
                        message=f"psychological evaluation {d.psych_evaluation.value}; clearance expected for non-cancer pain",
                        source="S40",
                    )
                )
        expectancy = d.cancer.life_expectancy_months if d.cancer else None
        if expectancy is not None and expectancy <= MIN_LIFE_EXPECTANCY_MONTHS:
            found.append(
                CandidacyConcern(
                    code="CAND-LIFE-EXPECTANCY",
                    message=f"life expectancy {expectancy} months; a fully implanted pump expects > {MIN_LIFE_EXPECTANCY_MONTHS} (consider an external system)",
                    source="S126",
                )
            )
        found.extend(
            CandidacyConcern(
                code=f"CAND-CI-{item.value.upper()}",
                message=f"contraindication present: {item.value.replace('_', ' ')}",
                source="S3/S28/S18",
            )
            for item in sorted(d.contraindications.present)
        )
        return tuple(found)
