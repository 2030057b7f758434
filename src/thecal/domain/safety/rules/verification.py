"""What is written, verified, filled and programmed must be the same admixture (SR-08).

* Prescription, pharmacy-verified admixture, refill label and programmed concentration agree
  exactly, drug by drug; a programmed concentration lower than the real one makes the pump
  over-deliver (S107, SR-08).
* A refill admixture is verified by a pharmacist — another person than the one proposing it
  (architecture §1: an independent double check).
* Where the prescriber states each component's intended daily dose, the admixture must deliver it
  at the primary drug's flow, to the precision written: an adjuvant concentration mixed up with
  the primary's, or a dose meant per hour, shows there.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.safety.context import ActionKind, Role
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.guard import new_admixtures
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import DoseRate, MassUnit

__all__ = ["RULES"]


def _describe(admixture: Admixture) -> str:
    return " + ".join(f"{c.drug_id} {fmt(c.concentration)}" for c in admixture.components)


@rule(
    code="ITS-CONC-001",
    severity=Severity.BLOCK,
    checks="prescription, refill label, pharmacy-verified admixture and programmed concentration agree drug by drug",
    threshold="exact equality of drugs and concentrations",
    source="S107, safety:SR-08",
)
def concentration_mismatch(subject: RuleInput) -> Iterator[Hit]:
    context = subject.context
    if context.action not in (ActionKind.NEW_START, ActionKind.PROGRAM_CHANGE, ActionKind.REFILL):
        return
    reference = context.new_prescription
    if reference is None:
        return
    expected = {c.drug_id: c.concentration for c in reference.admixture.components}
    for where, admixture in new_admixtures(subject):
        if where == "prescription":
            continue
        got = {c.drug_id: c.concentration for c in admixture.components}
        if got != expected:
            yield Hit(
                message=(
                    f"{where} admixture {_describe(admixture)} does not match the prescription "
                    f"{_describe(reference.admixture)}"
                ),
                source="S107, safety:SR-08",
                fields={
                    "where": where,
                    "expected": _describe(reference.admixture),
                    "got": _describe(admixture),
                },
            )


@rule(
    code="ITS-CONC-002",
    severity=Severity.BLOCK,
    checks="a refill admixture has been verified by a pharmacist",
    threshold="a pharmacy-verified admixture is present",
    source="safety:SR-08, architecture §1",
)
def refill_not_verified(subject: RuleInput) -> Iterator[Hit]:
    refill = subject.context.proposal.refill
    action = subject.context.action
    if action is ActionKind.REFILL and refill is not None and refill.verified_admixture is None:
        yield Hit(
            message=(
                f"refill admixture {_describe(refill.admixture)} has no pharmacy verification; "
                f"it may not be filled"
            ),
            source="safety:SR-08",
        )


def _as_written(computed: DoseRate, intended: DoseRate, unit: MassUnit) -> DoseRate:
    """``computed`` to the decimal places ``intended`` was written with, in ``unit``."""
    places = intended.to(unit).normalize().as_tuple().exponent
    quantum = Decimal(1).scaleb(min(0, places if isinstance(places, int) else 0))
    return DoseRate.of(computed.to(unit).quantize(quantum, rounding=ROUND_HALF_EVEN), unit)


@rule(
    code="ITS-CONC-003",
    severity=Severity.BLOCK,
    checks="each component's intended daily dose, where stated, against what the admixture delivers at the primary drug's flow",
    threshold="equal to the precision the intended dose is written with",
    source="safety:SR-05, safety:SR-08",
)
def intended_dose_mismatch(subject: RuleInput) -> Iterator[Hit]:
    proposed = subject.proposed
    if proposed is None or not proposed.intended:
        return
    delivered = proposed.component_doses()
    primary = proposed.admixture.primary
    for drug_id, intended in proposed.intended:
        drug = subject.drug(drug_id)
        actual = delivered[drug_id]
        if _as_written(actual, intended, drug.dose_unit) != intended:
            yield Hit(
                message=(
                    f"{drug_id}: the prescription intends {fmt(intended, drug)}, but "
                    f"{fmt(proposed.admixture.concentration_of(drug_id) or actual, drug)} at the "
                    f"{primary.drug_id} flow of {fmt(proposed.admixture.flow_for(proposed.program().basal_daily_dose))} "
                    f"delivers {fmt(actual, drug)}: check the concentrations"
                ),
                source="safety:SR-08",
                fields={"drug": drug_id, "intended": intended, "delivered": actual},
            )


@rule(
    code="ITS-CONC-004",
    severity=Severity.BLOCK,
    checks="the person who verified a refill admixture, where named, is a pharmacist other than the proposer",
    threshold="role pharmacist; not the proposer",
    source="architecture §1; safety:SR-02, safety:SR-08",
)
def verified_by_wrong_person(subject: RuleInput) -> Iterator[Hit]:
    refill = subject.context.proposal.refill
    if subject.context.action is not ActionKind.REFILL or refill is None:
        return
    verifier = refill.verified_by
    if verifier is None:
        return
    proposer = subject.context.proposer
    if verifier.role is not Role.PHARMACIST:
        yield Hit(
            message=(
                f"the admixture was verified by a {verifier.role.value} ({verifier.user_id}); "
                f"only a pharmacist verifies an admixture (architecture §1)"
            ),
            source="architecture §1, safety:SR-08",
            fields={"verified_by": verifier.user_id, "role": verifier.role.value},
        )
    if verifier.user_id == proposer.user_id:
        yield Hit(
            message=(
                f"{verifier.user_id} both verified and proposes this refill: the check must be "
                f"independent (safety:SR-02)"
            ),
            source="safety:SR-02",
            fields={"verified_by": verifier.user_id},
        )


RULES = (
    concentration_mismatch,
    refill_not_verified,
    intended_dose_mismatch,
    verified_by_wrong_person,
)
