"""The patient as the safety review sees them: indication, opioid status, withdrawal-risk factors,
procedure contraindications and the risk facts of issue 14 item 11.

A risk fact is ``True`` (present), ``False`` (checked and absent) or ``None`` (not recorded). The
rules act on ``True``; a few ask for a fact to be recorded (``None``) where the source asks for a
check before a start (endocrine surveillance, S5; ziconotide monitoring, S11).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import Enum

__all__ = [
    "Indication",
    "OpioidStatus",
    "Patient",
    "RiskFacts",
    "SpasticityOrigin",
    "spinal_level_rank",
]


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
class RiskFacts:
    """Patient facts that raise the risk of an intrathecal drug (issue 14 item 11).

    Attributes:
        systemic_opioids: concurrent systemic opioids (respiratory depression, S39; S40).
        sedatives: benzodiazepines or other sedatives (minimise or avoid, S5; S39).
        sleep_apnoea: obstructive or central sleep apnoea (S39).
        copd: chronic obstructive pulmonary disease or other significant lung disease (S3, S39).
        renal_impairment: morphine and baclofen metabolites/drug accumulate.
        hepatic_impairment: opioid clearance falls.
        pregnant: no intrathecal drug is established in pregnancy.
        granuloma_signs: new neurological deficit or loss of effect despite increases (S88).
        hypotension_or_bradycardia: clonidine's haemodynamic effects (ext:DURACLON).
        motor_block_or_urinary_retention: bupivacaine's dose-related effects.
        neuropsychiatric_symptoms: confusion, hallucinations, mood or consciousness change
            (ziconotide boxed warning, S11).
        ck_elevated: creatine kinase above 3 × the upper limit of normal (ziconotide, S29).
        ziconotide_monitoring: cognitive, psychiatric and CK monitoring is planned (S11, S29).
        endocrine_checked_on: the last endocrine check on long-term intrathecal opioids (S5).
    """

    systemic_opioids: bool | None = None
    sedatives: bool | None = None
    sleep_apnoea: bool | None = None
    copd: bool | None = None
    renal_impairment: bool | None = None
    hepatic_impairment: bool | None = None
    pregnant: bool | None = None
    granuloma_signs: bool | None = None
    hypotension_or_bradycardia: bool | None = None
    motor_block_or_urinary_retention: bool | None = None
    neuropsychiatric_symptoms: bool | None = None
    ck_elevated: bool | None = None
    ziconotide_monitoring: bool | None = None
    endocrine_checked_on: dt.date | None = None

    @classmethod
    def flag_names(cls) -> tuple[str, ...]:
        """The names of the yes/no facts (every field but the endocrine date)."""
        return tuple(f.name for f in fields(cls) if f.name != "endocrine_checked_on")

    def present(self) -> tuple[str, ...]:
        """The names of the facts recorded as present."""
        return tuple(name for name in self.flag_names() if getattr(self, name) is True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The patient facts the rules need."""

    age_years: int
    indication: Indication
    cancer: bool
    opioid_status: OpioidStatus | None = None
    weight_kg: Decimal | None = None
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
    risk: RiskFacts = field(default_factory=RiskFacts)

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
