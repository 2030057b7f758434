"""Drug-library limits: concentration and daily dose (hard → block, soft → override), starting
doses for a new intrathecal start, the worst case with every patient bolus, and patient boluses
for a drug that forbids them.

Hard limits are checked on every prescription that goes into the pump. Soft limits are checked
only on values that are new or changed, so a steady-state refill of an already overridden regimen
does not ask for the same override again.
"""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.drugs import Bound, DoseLimit, Drug, LimitedQuantity, LimitSeverity
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind, OpioidStatus
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, Threshold, fmt, rule
from thecal.domain.sourced import Confidence, Sourced
from thecal.domain.units import Concentration, DoseRate

__all__ = ["RULES", "daily_limits"]

_ZICONOTIDE = "ziconotide"


def daily_limits(drug: Drug, policy: ClinicPolicy) -> tuple[DoseLimit, ...]:
    """The drug's daily-dose limits, with the ziconotide hard maximum chosen by clinic policy
    (US 19.2 vs EU 21.6 mcg/day, S14 vs S11)."""
    limits = drug.limits_on(LimitedQuantity.DAILY_DOSE)
    if drug.id != _ZICONOTIDE:
        return limits
    chosen: Sourced[DoseRate] = Sourced(
        value=policy.ziconotide_max_daily_dose,
        source=ClinicPolicy.source("ziconotide_max_daily_dose"),
        confidence=Confidence.DISPUTED,
    )
    hard = DoseLimit(
        quantity=LimitedQuantity.DAILY_DOSE,
        bound=Bound.MAX,
        severity=LimitSeverity.HARD,
        limit=chosen,
    )
    others = tuple(
        limit
        for limit in limits
        if not (limit.severity is LimitSeverity.HARD and limit.bound is Bound.MAX)
    )
    return (hard, *others)


def _limits(drug: Drug, quantity: LimitedQuantity, policy: ClinicPolicy) -> tuple[DoseLimit, ...]:
    if quantity is LimitedQuantity.DAILY_DOSE:
        return daily_limits(drug, policy)
    return drug.limits_on(quantity)


def _limits_text(severity: LimitSeverity, quantity: LimitedQuantity) -> Threshold:
    def text(library: ReferenceLibrary, policy: ClinicPolicy) -> str:
        parts = [
            f"{drug.id} {'≤' if limit.bound is Bound.MAX else '≥'} "
            f"{fmt(limit.limit.value, drug)} ({limit.limit.cite()})"
            for drug in library.drugs.values()
            for limit in _limits(drug, quantity, policy)
            if limit.severity is severity
        ]
        return "; ".join(parts) or "none in the library"

    return text


def _beyond(limit: DoseLimit) -> str:
    side = "above the" if limit.bound is Bound.MAX else "below the"
    kind = "maximum" if limit.bound is Bound.MAX else "minimum"
    return f"{side} {limit.severity.value} {kind} of"


def _concentrations(
    subject: RuleInput, *, changed_only: bool
) -> Iterator[tuple[str, Concentration]]:
    """Every (drug, concentration) going into the pump; only new or changed ones if asked."""
    seen: set[tuple[str, Concentration]] = set()
    admixtures = []
    if subject.proposed is not None:
        admixtures.append(subject.proposed.admixture)
    refill = subject.context.proposal.refill
    if subject.context.action is ActionKind.REFILL and refill is not None:
        admixtures.append(refill.admixture)
    current = subject.current
    for admixture in admixtures:
        for component in admixture.components:
            key = (component.drug_id, component.concentration)
            old = current.admixture.concentration_of(component.drug_id) if current else None
            if key in seen or (changed_only and old == component.concentration):
                continue
            seen.add(key)
            yield key


def _doses(subject: RuleInput, *, changed_only: bool) -> Iterator[tuple[str, DoseRate]]:
    """Every component's daily dose under the proposal; only new or changed ones if asked."""
    if subject.proposed is None:
        return
    old = subject.current.component_doses() if subject.current else {}
    for drug_id, dose in subject.proposed.component_doses().items():
        if not (changed_only and old.get(drug_id) == dose):
            yield drug_id, dose


def _concentration_hits(subject: RuleInput, severity: LimitSeverity) -> Iterator[Hit]:
    changed_only = severity is LimitSeverity.SOFT
    for drug_id, concentration in _concentrations(subject, changed_only=changed_only):
        drug = subject.drug(drug_id)
        for limit in drug.limits_on(LimitedQuantity.CONCENTRATION):
            if limit.severity is severity and limit.exceeded_by(concentration):
                yield Hit(
                    message=(
                        f"{drug_id} concentration {fmt(concentration, drug)} is {_beyond(limit)} "
                        f"{fmt(limit.limit.value, drug)} ({limit.limit.cite()})"
                    ),
                    source=limit.limit.source,
                    fields={"drug": drug_id, "value": concentration, "limit": limit.limit.value},
                )


def _dose_hits(subject: RuleInput, severity: LimitSeverity) -> Iterator[Hit]:
    changed_only = severity is LimitSeverity.SOFT
    for drug_id, dose in _doses(subject, changed_only=changed_only):
        drug = subject.drug(drug_id)
        for limit in daily_limits(drug, subject.policy):
            if limit.severity is severity and limit.exceeded_by(dose):
                yield Hit(
                    message=(
                        f"{drug_id} daily dose {fmt(dose, drug)} is {_beyond(limit)} "
                        f"{fmt(limit.limit.value, drug)} ({limit.limit.cite()})"
                    ),
                    source=limit.limit.source,
                    fields={"drug": drug_id, "value": dose, "limit": limit.limit.value},
                )


@rule(
    code="ITS-DOSE-001",
    severity=Severity.BLOCK,
    checks="concentration of every admixture component against the library's hard (label) limit",
    threshold=_limits_text(LimitSeverity.HARD, LimitedQuantity.CONCENTRATION),
    source="drug library, hard limits (label)",
)
def concentration_beyond_hard_limit(subject: RuleInput) -> Iterator[Hit]:
    yield from _concentration_hits(subject, LimitSeverity.HARD)


@rule(
    code="ITS-DOSE-002",
    severity=Severity.OVERRIDE,
    checks="new or changed concentration of every component against the soft (consensus) limit",
    threshold=_limits_text(LimitSeverity.SOFT, LimitedQuantity.CONCENTRATION),
    source="drug library, soft limits (consensus)",
)
def concentration_beyond_soft_limit(subject: RuleInput) -> Iterator[Hit]:
    yield from _concentration_hits(subject, LimitSeverity.SOFT)


@rule(
    code="ITS-DOSE-003",
    severity=Severity.BLOCK,
    checks="daily dose of every component against the hard (label) limit",
    threshold=_limits_text(LimitSeverity.HARD, LimitedQuantity.DAILY_DOSE),
    source="drug library, hard limits (label); ziconotide maximum by clinic policy",
)
def daily_dose_beyond_hard_limit(subject: RuleInput) -> Iterator[Hit]:
    yield from _dose_hits(subject, LimitSeverity.HARD)


@rule(
    code="ITS-DOSE-004",
    severity=Severity.OVERRIDE,
    checks="new or changed daily dose of every component against the soft (consensus) limit",
    threshold=_limits_text(LimitSeverity.SOFT, LimitedQuantity.DAILY_DOSE),
    source="drug library, soft limits (consensus)",
)
def daily_dose_beyond_soft_limit(subject: RuleInput) -> Iterator[Hit]:
    yield from _dose_hits(subject, LimitSeverity.SOFT)


def _start_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    parts = []
    for drug in library.drugs.values():
        for label, rng in (("naive", drug.start_naive), ("tolerant", drug.start_tolerant)):
            if rng is not None:
                parts.append(
                    f"{drug.id} {label} {fmt(rng.value.low, drug)}–{fmt(rng.value.high, drug)} ({rng.cite()})"
                )
    return "; ".join(parts)


@rule(
    code="ITS-DOSE-005",
    severity=Severity.OVERRIDE,
    checks="a new intrathecal start: each component's daily dose inside the library's starting range (opioid-naive or tolerant)",
    threshold=_start_text,
    source="drug library start_naive / start_tolerant",
)
def start_dose_outside_range(subject: RuleInput) -> Iterator[Hit]:
    if subject.context.action is not ActionKind.NEW_START:
        return
    status = subject.context.patient.opioid_status
    for drug_id, dose in _doses(subject, changed_only=False):
        drug = subject.drug(drug_id)
        tolerant = drug.is_opioid and status is OpioidStatus.TOLERANT
        chosen = drug.start_tolerant if tolerant and drug.start_tolerant else drug.start_naive
        if chosen is None or dose in chosen.value:
            continue
        label = "opioid-tolerant" if tolerant else "opioid-naive"
        if drug.is_opioid and status is None:
            label += " (tolerance not recorded, naive range applied)"
        yield Hit(
            message=(
                f"new start of {drug_id} at {fmt(dose, drug)} is outside the {label} starting range "
                f"{fmt(chosen.value.low, drug)}–{fmt(chosen.value.high, drug)} ({chosen.cite()})"
            ),
            source=chosen.source,
            fields={
                "drug": drug_id,
                "value": dose,
                "low": chosen.value.low,
                "high": chosen.value.high,
            },
        )


@rule(
    code="ITS-DOSE-006",
    severity=Severity.OVERRIDE,
    checks="worst-case daily dose (basal plus every allowed patient bolus) of each component against its lowest daily maximum",
    threshold="the lowest daily-dose maximum (soft or hard) of each drug",
    source="drug library limits; S66 (worst case with every bolus)",
)
def worst_case_above_maximum(subject: RuleInput) -> Iterator[Hit]:
    proposed = subject.proposed
    if proposed is None or proposed.patient_bolus is None:
        return
    program = proposed.program()
    basal = proposed.admixture.doses_at(program.basal_flow)
    worst = proposed.admixture.doses_at(program.worst_case_flow)
    primary = subject.drug(proposed.admixture.primary.drug_id)
    for drug_id, dose in worst.items():
        drug = subject.drug(drug_id)
        maxima = [limit for limit in daily_limits(drug, subject.policy) if limit.bound is Bound.MAX]
        if not maxima:
            continue
        lowest = min(maxima, key=lambda limit: limit.limit.value.value)
        if lowest.exceeded_by(dose) and not lowest.exceeded_by(basal[drug_id]):
            bolus = proposed.patient_bolus
            yield Hit(
                message=(
                    f"{drug_id} worst case {fmt(dose, drug)} (basal {fmt(basal[drug_id], drug)} plus "
                    f"{bolus.max_per_day} × {fmt(bolus.dose, primary)} patient boluses) is above the "
                    f"{lowest.severity.value} maximum {fmt(lowest.limit.value, drug)} ({lowest.limit.cite()})"
                ),
                source=f"{lowest.limit.source}, S66",
                fields={"drug": drug_id, "value": dose, "limit": lowest.limit.value},
            )


@rule(
    code="ITS-BOLUS-001",
    severity=Severity.BLOCK,
    checks="patient-activated bolus for an admixture containing a drug that forbids it",
    threshold=lambda library, _policy: (
        ", ".join(
            f"{d.id} ({d.patient_bolus_allowed.cite()})"
            for d in library.drugs.values()
            if not d.patient_bolus_allowed.value
        )
        or "none"
    ),
    source="drug library patient_bolus_allowed",
)
def patient_bolus_forbidden(subject: RuleInput) -> Iterator[Hit]:
    proposed = subject.proposed
    if proposed is None or proposed.patient_bolus is None:
        return
    for drug_id in proposed.admixture.drug_ids:
        allowed = subject.drug(drug_id).patient_bolus_allowed
        if not allowed.value:
            yield Hit(
                message=(
                    f"patient-activated bolus of {fmt(proposed.patient_bolus.dose, subject.drug(proposed.admixture.primary.drug_id))} programmed "
                    f"for an admixture with {drug_id}, which allows no patient boluses ({allowed.cite()})"
                ),
                source=allowed.source,
                fields={"drug": drug_id, "bolus": proposed.patient_bolus.dose},
            )


RULES = (
    concentration_beyond_hard_limit,
    concentration_beyond_soft_limit,
    daily_dose_beyond_hard_limit,
    daily_dose_beyond_soft_limit,
    start_dose_outside_range,
    worst_case_above_maximum,
    patient_bolus_forbidden,
)
