"""Explant without replacement and therapy discontinuation (issue 12 §3).

Stopping intrathecal delivery of a drug with a withdrawal risk is refused until a withdrawal plan
is recorded for that drug: baclofen above all (boxed warning — high fever, rebound spasticity,
rhabdomyolysis, multi-organ failure, death; S18, S35b; severe in 3–5 %, progressing over
24–72 h, S94), also the opioids (S30) and clonidine (rebound hypertension, ext:DURACLON). The risk
is each drug's ``withdrawal_risk`` in the library; a drug without one (ziconotide, S11 [U]) needs
no plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from thecal.domain.drugs import Drug, WithdrawalRisk
from thecal.domain.errors import RequestInvalid, WorkflowError

__all__ = [
    "DiscontinuationKind",
    "WithdrawalPlan",
    "WithdrawalPlanRequired",
    "check_withdrawal_plan",
    "drugs_needing_a_plan",
]


class DiscontinuationKind(Enum):
    EXPLANT = "explant"  # the pump comes out and no pump replaces it
    THERAPY_STOPPED = "therapy-stopped"  # the pump stays, delivery of the drug ends


class WithdrawalPlanRequired(WorkflowError):
    """Delivery of a drug with a withdrawal risk would stop without a recorded plan."""

    code = "THC-PATH-061"
    template = (
        "stopping {drugs} needs a recorded withdrawal plan (oral replacement or taper, and"
        " monitoring): {risk}"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawalPlan:
    """The clinician's plan for the end of intrathecal delivery: which drugs it covers and how."""

    drug_ids: tuple[str, ...]
    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise RequestInvalid(detail="a withdrawal plan needs its text (taper, oral cover)")
        if not self.drug_ids:
            raise RequestInvalid(detail="a withdrawal plan names the drugs it covers")


def drugs_needing_a_plan(drugs: Iterable[Drug]) -> tuple[Drug, ...]:
    """The drugs with any withdrawal risk, highest risk first."""
    risky = [drug for drug in drugs if drug.withdrawal_risk.value is not WithdrawalRisk.NONE]
    return tuple(sorted(risky, key=lambda drug: -drug.withdrawal_risk.value.rank))


def check_withdrawal_plan(drugs: Iterable[Drug], plan: WithdrawalPlan | None) -> None:
    """Refuse a discontinuation that leaves a drug with a withdrawal risk without a plan.

    Raises:
        WithdrawalPlanRequired: naming each uncovered drug with its risk and source.
    """
    covered = set(plan.drug_ids) if plan is not None else set()
    missing = [drug for drug in drugs_needing_a_plan(drugs) if drug.id not in covered]
    if missing:
        raise WithdrawalPlanRequired(
            drugs=", ".join(drug.name for drug in missing),
            risk="; ".join(
                f"{drug.name}: {drug.withdrawal_risk.value.value} risk"
                f" ({drug.withdrawal_risk.cite()})"
                for drug in missing
            ),
        )
