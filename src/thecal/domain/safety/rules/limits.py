"""Drug-library limits: concentration and daily dose (hard → block, soft → override; a child's
limits below the drug's paediatric age), a drug with no known maximum, the worst case with every
patient bolus, and patient boluses for a drug that forbids them. Starting doses: :mod:`.start`.

Hard limits are checked on every prescription that goes into the pump. Soft limits are checked
only on values that are new or changed, so a steady-state refill of an already overridden regimen
does not ask for the same override again.
"""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.drugs import Bound, DoseLimit, Drug, LimitedQuantity, LimitSeverity, Population
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.quantity_text import format_quantity
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, Threshold, fmt, rule
from thecal.domain.sourced import Confidence, Sourced
from thecal.domain.units import Concentration, DoseRate

__all__ = ["RULES", "daily_limits"]

_ZICONOTIDE = "ziconotide"
_MORPHINE = "morphine"


def daily_limits(
    drug: Drug, policy: ClinicPolicy, *, age_years: int | None = None
) -> tuple[DoseLimit, ...]:
    """The drug's daily-dose limits for a patient of ``age_years`` (children's limits below the
    drug's paediatric age), with the ziconotide hard maximum chosen by clinic policy (US 19.2 vs
    EU 21.6 mcg/day, S14 vs S11)."""
    limits = drug.limits_on(LimitedQuantity.DAILY_DOSE, age_years=age_years)
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


def _population(drug: Drug, limit: DoseLimit) -> str:
    age = drug.paediatric_below_age
    if limit.population is Population.ANY or age is None:
        return ""
    if limit.population is Population.CHILD:
        return f" (children under {age.value}, {age.cite()})"
    return f" (from {age.value} years)"


def _limits_text(severity: LimitSeverity, quantity: LimitedQuantity) -> Threshold:
    def text(library: ReferenceLibrary, policy: ClinicPolicy) -> str:
        parts = [
            f"{drug.id} {'≤' if limit.bound is Bound.MAX else '≥'} "
            f"{fmt(limit.limit.value, drug)}{_population(drug, limit)} ({limit.limit.cite()})"
            for drug in library.drugs.values()
            for limit in _limits(drug, quantity, policy)
            if limit.severity is severity
        ]
        return "; ".join(parts) or "none in the library"

    return text


def _beyond(drug: Drug, limit: DoseLimit) -> str:
    side = "above the" if limit.bound is Bound.MAX else "below the"
    kind = "maximum" if limit.bound is Bound.MAX else "minimum"
    return f"{side} {limit.severity.value} {kind}{_population(drug, limit)} of"


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
                        f"{drug_id} concentration {fmt(concentration, drug)} is {_beyond(drug, limit)} "
                        f"{fmt(limit.limit.value, drug)} ({limit.limit.cite()})"
                    ),
                    source=limit.limit.source,
                    fields={"drug": drug_id, "value": concentration, "limit": limit.limit.value},
                )


def _dose_hits(subject: RuleInput, severity: LimitSeverity) -> Iterator[Hit]:
    changed_only = severity is LimitSeverity.SOFT
    for drug_id, dose in _doses(subject, changed_only=changed_only):
        drug = subject.drug(drug_id)
        for limit in daily_limits(drug, subject.policy, age_years=subject.age):
            if limit.severity is severity and limit.exceeded_by(dose):
                child = limit.population is Population.CHILD
                yield Hit(
                    message=(
                        f"{drug_id} daily dose {fmt(dose, drug)}"
                        f"{subject.per_kg(dose, drug) if child else ''} is {_beyond(drug, limit)} "
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


def _no_max_text(library: ReferenceLibrary, policy: ClinicPolicy) -> str:
    morphine = _morphine_maximum(library, policy)
    parts = [
        f"{drug.id}: none known ({drug.daily_max_none_known.cite()}); warns above "
        f"{fmt(morphine_limit, drug)}"
        for drug in library.drugs.values()
        if drug.daily_max_none_known is not None
        and morphine is not None
        and (morphine_limit := _equivalent_ceiling(drug, morphine.limit.value)) is not None
    ]
    return "; ".join(parts) or "every drug has a daily maximum"


def _morphine_maximum(library: ReferenceLibrary, policy: ClinicPolicy) -> DoseLimit | None:
    morphine = library.drugs.get(_MORPHINE)
    if morphine is None:
        return None
    maxima = [limit for limit in daily_limits(morphine, policy) if limit.bound is Bound.MAX]
    return min(maxima, key=lambda limit: limit.limit.value.value, default=None)


def _equivalent_ceiling(drug: Drug, morphine_dose: Concentration | DoseRate) -> DoseRate | None:
    """The dose of ``drug`` matching ``morphine_dose`` at the drug's most potent ratio."""
    ratio = drug.it_morphine_ratio
    if ratio is None or not isinstance(morphine_dose, DoseRate):
        return None
    return morphine_dose / ratio.value.high


@rule(
    code="ITS-DOSE-008",
    severity=Severity.WARN,
    checks="a new or raised daily dose of a drug with no known daily maximum, above the morphine maximum in intrathecal morphine equivalents",
    threshold=_no_max_text,
    source="drug library daily_max_none_known (S2); it_morphine_ratio",
)
def no_known_maximum(subject: RuleInput) -> Iterator[Hit]:
    morphine = _morphine_maximum(subject.library, subject.policy)
    if morphine is None:
        return
    for drug_id, dose, _old in subject.raised_or_new():
        drug = subject.drug(drug_id)
        none_known = drug.daily_max_none_known
        ceiling = _equivalent_ceiling(drug, morphine.limit.value)
        if none_known is None or ceiling is None or dose <= ceiling:
            continue
        ratio = drug.it_morphine_ratio
        yield Hit(
            message=(
                f"{drug_id} {fmt(dose, drug)}: no daily maximum is known ({none_known.cite()}), so "
                f"none can be checked; it is above "
                f"{format_quantity(ceiling, mass=drug.dose_unit, places=1)}, the morphine maximum "
                f"{fmt(morphine.limit.value)} ({morphine.limit.cite()}) at {ratio.value if ratio else '?'} "
                f"({ratio.cite() if ratio else '?'}): confirm the dose"
            ),
            source=", ".join(
                dict.fromkeys(
                    [none_known.source, morphine.limit.source, ratio.source if ratio else ""]
                )
            ).strip(", "),
            fields={"drug": drug_id, "value": dose, "reference": ceiling},
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
        maxima = [
            limit
            for limit in daily_limits(drug, subject.policy, age_years=subject.age)
            if limit.bound is Bound.MAX
        ]
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
    no_known_maximum,
    worst_case_above_maximum,
    patient_bolus_forbidden,
)
