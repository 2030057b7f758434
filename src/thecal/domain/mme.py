"""Oral morphine milligram equivalents (MME) of a systemic opioid list.

Factor tables are versioned data (``thecal/data/mme.toml``; CDC 2022 by default, CDC 2016 with its
methadone tiers kept); the version used is part of every result. The oral-to-intrathecal morphine
equivalent is information only: CDC warns MME must not pick the dose of a new opioid (S22 [C]), and
an intrathecal start is capped by the drug library's starting range instead (clinical.md §2.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.errors import UnknownReference, ValueOutOfRange
from thecal.domain.sourced import Confidence
from thecal.domain.units import DoseRate, MassUnit, TimeUnit, plain

__all__ = [
    "ORAL_TO_IT_MORPHINE_RATIO",
    "MethadoneTier",
    "MmeFactor",
    "MmeLine",
    "MmeResult",
    "MmeTable",
    "OpioidDose",
    "calculate_mme",
]

#: Oral : IV : epidural : IT morphine ≈ 300 : 100 : 10 : 1, derived from S22 + S24 (clinical.md
#: §2.1). Sources disagree (100 : 1 ISMP S25, 12 : 1 case S27): shown as information only.
ORAL_TO_IT_MORPHINE_RATIO = Decimal(300)


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeFactor:
    drug: str
    unit: MassUnit
    per: TimeUnit
    factor: Decimal

    @property
    def per_text(self) -> str:
        return f"{self.unit.symbol}/{self.per.symbol}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MethadoneTier:
    up_to_mg_per_day: Decimal | None  # None: open-ended last tier
    factor: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeTable:
    id: str
    name: str
    source: str
    confidence: Confidence
    factors: Mapping[str, MmeFactor]
    methadone_tiers: tuple[MethadoneTier, ...]

    def factor_for(self, drug: str, dose: DoseRate) -> tuple[Decimal, Decimal, str]:
        """Return (dose in the factor's unit, factor, unit text) for one opioid line."""
        if drug == "methadone" and self.methadone_tiers:
            mg_per_day = dose.to(MassUnit.MG)
            tier = next(
                t
                for t in self.methadone_tiers
                if t.up_to_mg_per_day is None or mg_per_day <= t.up_to_mg_per_day
            )
            return mg_per_day, tier.factor, "mg/day"
        if drug not in self.factors:
            raise UnknownReference(
                kind=f"opioid in MME table {self.id}",
                name=drug,
                known=", ".join(sorted(self.factors)),
            )
        factor = self.factors[drug]
        return dose.to(factor.unit, factor.per), factor.factor, factor.per_text


@dataclass(frozen=True, slots=True, kw_only=True)
class OpioidDose:
    """One systemic opioid the patient takes, as a total daily dose (fentanyl patch: its rate)."""

    drug: str
    daily_dose: DoseRate


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeLine:
    drug: str
    amount: Decimal
    amount_unit: str
    factor: Decimal
    mme: Decimal

    def describe(self) -> str:
        return f"{self.drug} {plain(self.amount)} {self.amount_unit} × {plain(self.factor)} = {plain(self.mme)} MME"


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeResult:
    total_mme: Decimal  # mg/day of oral morphine
    lines: tuple[MmeLine, ...]
    table_id: str
    table_name: str
    table_source: str

    @property
    def intrathecal_morphine_equivalent(self) -> DoseRate:
        """Information only — never a starting dose (S22, clinical.md §2.1)."""
        return DoseRate.of(self.total_mme / ORAL_TO_IT_MORPHINE_RATIO, MassUnit.MG)


def calculate_mme(doses: Sequence[OpioidDose], table: MmeTable) -> MmeResult:
    """Sum oral MME over a medication list with one versioned factor table.

    Raises:
        UnknownReference: an opioid the table has no factor for.
        ValueOutOfRange: a negative dose.
    """
    lines: list[MmeLine] = []
    for dose in doses:
        if dose.daily_dose.value < 0:
            raise ValueOutOfRange(
                name=f"{dose.drug} daily dose", expected="≥ 0", value=dose.daily_dose
            )
        amount, factor, unit = table.factor_for(dose.drug, dose.daily_dose)
        lines.append(
            MmeLine(
                drug=dose.drug, amount=amount, amount_unit=unit, factor=factor, mme=amount * factor
            )
        )
    return MmeResult(
        total_mme=sum((line.mme for line in lines), Decimal(0)),
        lines=tuple(lines),
        table_id=table.id,
        table_name=table.name,
        table_source=table.source,
    )
