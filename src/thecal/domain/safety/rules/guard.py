"""Number-entry guards: ten-fold and unit errors.

Any new daily dose, concentration or patient-bolus dose at least ``ten_fold_ratio`` times, or at
most 1/``ten_fold_ratio`` of, the current one is blocked: misplaced decimals, extra and omitted
zeros and mg↔mcg swaps all land there (safety.md §2.2, SR-05). A drug new to the pump has no
current value: :mod:`.start` and :mod:`.rotation` guard it. Concentration matching:
:mod:`.verification`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import Concentration, DoseRate, Mass, plain

__all__ = ["RULES", "new_admixtures"]

_TEN_FOLD = ClinicPolicy.source("ten_fold_ratio")


def _ratio_text(_library: object, policy: ClinicPolicy) -> str:
    return f"new ÷ current ≥ {policy.ten_fold_ratio} or ≤ 1/{policy.ten_fold_ratio}"


def _ten_fold(subject: RuleInput, old: Decimal, new: Decimal) -> Decimal | None:
    """The ratio new ÷ old when it is a ten-fold (or worse) change, else None."""
    if old <= 0 or new <= 0:
        return None
    ratio = new / old
    factor = Decimal(subject.policy.ten_fold_ratio)
    return ratio if ratio >= factor or ratio <= 1 / factor else None


def _ratio(ratio: Decimal) -> str:
    if ratio >= 1:
        return f"{plain(ratio.quantize(Decimal('0.01')))} ×"
    return f"1/{plain((1 / ratio).quantize(Decimal('0.01')))}"


@rule(
    code="ITS-GUARD-001",
    severity=Severity.BLOCK,
    checks="new daily dose of each component against the current one (ten-fold / unit error)",
    threshold=_ratio_text,
    source=_TEN_FOLD,
)
def daily_dose_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    if subject.proposed is None or subject.current is None:
        return
    old_doses = subject.current.component_doses()
    for drug_id, new in subject.proposed.component_doses().items():
        old: DoseRate | None = old_doses.get(drug_id)
        drug = subject.drug(drug_id)
        ratio = _ten_fold(subject, old.value, new.value) if old else None
        if old is not None and ratio is not None:
            yield Hit(
                message=(
                    f"{drug_id} daily dose {fmt(new, drug)} is {_ratio(ratio)} the current {fmt(old, drug)}: "
                    f"probable misplaced decimal, extra/omitted zero or mg↔mcg error"
                ),
                source=_TEN_FOLD,
                fields={"drug": drug_id, "old": old, "new": new, "ratio": ratio},
            )


@rule(
    code="ITS-GUARD-004",
    severity=Severity.BLOCK,
    checks="each flex-step rate of the primary drug against the current average daily dose",
    threshold=_ratio_text,
    source=_TEN_FOLD,
)
def step_rate_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    proposed, current = subject.proposed, subject.current
    if proposed is None or current is None or not proposed.steps:
        return
    primary = proposed.admixture.primary.drug_id
    old = current.component_doses().get(primary)
    if old is None:
        return
    drug = subject.drug(primary)
    for step in proposed.steps:
        ratio = _ten_fold(subject, old.value, step.rate.value)
        if ratio is not None:
            yield Hit(
                message=(
                    f"{primary} flex step rate {fmt(step.rate, drug)} is {_ratio(ratio)} the "
                    f"current daily dose {fmt(old, drug)}: probable decimal or mg↔mcg error"
                ),
                source=_TEN_FOLD,
                fields={"drug": primary, "old": old, "rate": step.rate},
            )


def new_admixtures(subject: RuleInput) -> Iterator[tuple[str, Admixture]]:
    proposal = subject.context.proposal
    if subject.proposed is not None:
        yield "prescription", subject.proposed.admixture
    if proposal.programmed_admixture is not None:
        yield "programmed", proposal.programmed_admixture
    refill = proposal.refill
    if refill is not None and subject.context.action is ActionKind.REFILL:
        yield "refill", refill.admixture
        if refill.verified_admixture is not None:
            yield "pharmacy-verified", refill.verified_admixture
        if refill.programmed_admixture is not None:
            yield "programmed", refill.programmed_admixture


@rule(
    code="ITS-GUARD-002",
    severity=Severity.BLOCK,
    checks="every new concentration (prescription, refill, pharmacy-verified, programmed) against the current one",
    threshold=_ratio_text,
    source=_TEN_FOLD,
)
def concentration_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    current = subject.current
    if current is None:
        return
    seen: set[tuple[str, Concentration]] = set()
    for where, admixture in new_admixtures(subject):
        for component in admixture.components:
            old = current.admixture.concentration_of(component.drug_id)
            new = component.concentration
            drug = subject.drug(component.drug_id)
            ratio = _ten_fold(subject, old.value, new.value) if old else None
            if old is None or ratio is None or (component.drug_id, new) in seen:
                continue
            seen.add((component.drug_id, new))
            yield Hit(
                message=(
                    f"{component.drug_id} {where} concentration {fmt(new, drug)} is {_ratio(ratio)} "
                    f"the current {fmt(old, drug)}: probable decimal or mg↔mcg error"
                ),
                source=_TEN_FOLD,
                fields={"drug": component.drug_id, "where": where, "old": old, "new": new},
            )


@rule(
    code="ITS-GUARD-003",
    severity=Severity.BLOCK,
    checks="new patient-bolus dose against the current one",
    threshold=_ratio_text,
    source=_TEN_FOLD,
)
def bolus_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    proposed, current = subject.proposed, subject.current
    if proposed is None or current is None:
        return
    if proposed.patient_bolus is None or current.patient_bolus is None:
        return
    if proposed.admixture.primary.drug_id != current.admixture.primary.drug_id:
        return  # a bolus of another drug: ITS-GUARD-005 checks it as a new bolus
    primary = subject.drug(proposed.admixture.primary.drug_id)
    old: Mass = current.patient_bolus.dose
    new: Mass = proposed.patient_bolus.dose
    ratio = _ten_fold(subject, old.value, new.value)
    if ratio is not None:
        yield Hit(
            message=(
                f"patient bolus {fmt(new, primary)} is {_ratio(ratio)} the current {fmt(old, primary)}: "
                f"probable decimal or mg↔mcg error"
            ),
            source=_TEN_FOLD,
            fields={"old": old, "new": new, "ratio": ratio},
        )


@rule(
    code="ITS-GUARD-005",
    severity=Severity.BLOCK,
    checks="a patient bolus added where none was programmed (or of a drug new to the pump), against the drug's single intrathecal dose range (trial bolus)",
    threshold=lambda _library, policy: (
        f"bolus ≥ {policy.ten_fold_ratio} × the top or ≤ 1/{policy.ten_fold_ratio} of the bottom of the trial-bolus range"
    ),
    source=f"{_TEN_FOLD}, trial-bolus range (S1, S16, S17, S21)",
)
def new_bolus_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    """With no current bolus to compare with, the library's trial-bolus range is the reference for
    one intrathecal dose: a bolus ten times above its top or below its bottom is a probable
    decimal or mg↔mcg error (SR-05)."""
    proposed, current = subject.proposed, subject.current
    if proposed is None or proposed.patient_bolus is None:
        return
    same_drug = current is not None and (
        current.admixture.primary.drug_id == proposed.admixture.primary.drug_id
    )
    if current is not None and current.patient_bolus is not None and same_drug:
        return  # ITS-GUARD-003 compares with the current bolus
    primary = subject.drug(proposed.admixture.primary.drug_id)
    reference = primary.trial_bolus
    if reference is None:
        return
    dose: Mass = proposed.patient_bolus.dose
    factor = Decimal(subject.policy.ten_fold_ratio)
    low, high = reference.value.low, reference.value.high
    if dose.value >= high.value * factor or dose.value <= low.value / factor:
        yield Hit(
            message=(
                f"new patient bolus {fmt(dose, primary)} is far outside one intrathecal {primary.id} dose "
                f"({fmt(low, primary)}–{fmt(high, primary)}, {reference.cite()}): probable decimal or mg↔mcg error"
            ),
            source=f"{_TEN_FOLD}, {reference.source}",
            fields={"dose": dose, "low": low, "high": high},
        )


RULES = (
    daily_dose_ten_fold,
    concentration_ten_fold,
    bolus_ten_fold,
    new_bolus_ten_fold,
    step_rate_ten_fold,
)
