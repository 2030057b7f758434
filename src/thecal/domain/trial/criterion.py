"""The success criterion of a trial, chosen by the trial drug's class (clinical.md §3.2, §11 rule 5).

* Opioids and other pain drugs: ≥ 50 % pain reduction from baseline without intolerable side
  effects (S42), sustained ~8 h across consecutive observations (S40: "> 50 % pain reduction
  lasting ~8 h"), plus functional gain where function was scored (S40). The single best score is
  not enough: a transient dip is not a trial success.
* Ziconotide (calcium-channel blocker): ≥ 30 % on two occasions (S21).
* Baclofen (GABA-B agonist): ≥ 2-point improvement on the Ashworth or spasm-frequency scale
  lasting ~4 h (S40).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.drugs import DrugClass
from thecal.domain.trial.plan import TrialPlan
from thecal.domain.units import Duration

__all__ = ["CriterionKind", "SuccessCriterion", "criterion_for"]


class CriterionKind(StrEnum):
    PAIN_REDUCTION = "pain-reduction"
    SPASTICITY_POINTS = "spasticity-points"


@dataclass(frozen=True, slots=True, kw_only=True)
class SuccessCriterion:
    kind: CriterionKind
    threshold: Decimal  # % pain reduction, or points of Ashworth / spasm-frequency improvement
    occasions: int
    sustained: Duration | None
    source: str

    def describe(self) -> str:
        if self.kind is CriterionKind.PAIN_REDUCTION:
            text = f"≥ {self.threshold} % pain reduction"
        else:
            text = f"≥ {self.threshold}-point Ashworth or spasm-frequency improvement"
        if self.sustained is not None:
            text += f" lasting {self.sustained}"
        if self.occasions > 1:
            text += f" on {self.occasions} occasions"
        return f"{text} ({self.source})"


def criterion_for(plan: TrialPlan) -> SuccessCriterion:
    """The success criterion for the trial drug (clinical.md §3.2, §11 rule 5)."""
    if plan.drug_class is DrugClass.GABA_B_AGONIST:
        return SuccessCriterion(
            kind=CriterionKind.SPASTICITY_POINTS,
            threshold=Decimal(2),
            occasions=1,
            sustained=Duration.hours(4),
            source="S40",
        )
    if plan.drug_class is DrugClass.CALCIUM_CHANNEL_BLOCKER:
        return SuccessCriterion(
            kind=CriterionKind.PAIN_REDUCTION,
            threshold=Decimal(30),
            occasions=2,
            sustained=None,
            source="S21",
        )
    return SuccessCriterion(
        kind=CriterionKind.PAIN_REDUCTION,
        threshold=Decimal(50),
        occasions=1,
        sustained=Duration.hours(8),
        source="S42, S40",
    )
