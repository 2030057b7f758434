"""Every drug new to the pump is a new start for that drug (issue 14 item 1).

A drug starts within its starting range: opioid-naive or opioid-tolerant (an opioid without a
tolerant range of its own takes morphine's label range converted with its intrathecal morphine
ratio, so the ranges agree in morphine terms), or, for baclofen, from the effective screening dose
(S16). That holds for a new start, a program change or a refill that adds a drug (an adjuvant
added to morphine, a switch to ziconotide), and every component of the admixture. An opioid that
replaces or joins another opioid already in the pump is a rotation instead (:mod:`.rotation`): its
dose follows from the current one, not from a starting range.

* above a label starting maximum (``high_severity = "hard"``) → block;
* above a consensus range, or below any range → override;
* ten times the top, or a tenth of the bottom, or worse → block (probable unit or decimal error).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.drugs import Drug, LimitSeverity
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import DAY
from thecal.domain.safety.context import OpioidStatus
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import DoseRate

__all__ = ["RULES", "StartLimit", "start_limit", "started_drugs"]

_MORPHINE = "morphine"


@dataclass(frozen=True, slots=True, kw_only=True)
class StartLimit:
    """The starting range that applies to one drug for this patient, and where it comes from."""

    low: DoseRate | None
    high: DoseRate
    high_severity: LimitSeverity
    what: str  # e.g. "opioid-naive starting range"
    cite: str  # e.g. "S3, S1 [D]"
    source: str


def _range_limit(drug: Drug, subject: RuleInput) -> StartLimit | None:
    status = subject.context.patient.opioid_status
    tolerant = drug.is_opioid and status is OpioidStatus.TOLERANT
    if tolerant and drug.start_tolerant is not None:
        chosen, what = drug.start_tolerant, "opioid-tolerant starting range"
    elif tolerant and (derived := _derived_tolerant(drug, subject.library)) is not None:
        return derived
    elif drug.start_naive is not None:
        chosen = drug.start_naive
        what = "opioid-naive starting range" if drug.is_opioid else "starting range"
        if drug.is_opioid and status is None:
            what += " (tolerance not recorded, naive range applied)"
    else:
        return None
    return StartLimit(
        low=chosen.value.low,
        high=chosen.value.high,
        high_severity=chosen.value.high_severity,
        what=what,
        cite=chosen.cite(),
        source=chosen.source,
    )


def _derived_tolerant(drug: Drug, library: ReferenceLibrary) -> StartLimit | None:
    """Morphine's opioid-tolerant label range in ``drug`` (divided by its most potent ratio)."""
    morphine = library.drugs.get(_MORPHINE)
    ratio = drug.it_morphine_ratio
    if morphine is None or morphine.start_tolerant is None or ratio is None:
        return None
    base = morphine.start_tolerant
    high = ratio.value.high
    return StartLimit(
        low=base.value.low / high,
        high=base.value.high / high,
        high_severity=LimitSeverity.SOFT,
        what=(
            f"opioid-tolerant starting range, morphine's {fmt(base.value.low, morphine)}–"
            f"{fmt(base.value.high, morphine)} ({base.cite()}) at {ratio.value} ({ratio.cite()})"
        ),
        cite=f"{base.cite()}; {ratio.cite()}",
        source=f"{base.source}, {ratio.source}",
    )


def _screening_limit(drug: Drug, subject: RuleInput) -> StartLimit | None:
    start = drug.start_from_screening
    if start is None:
        return None
    given = subject.context.proposal.effective_screening_dose
    if given is not None:
        screening, which = given, f"the effective screening dose {fmt(given, drug)}"
    elif drug.trial_bolus is not None:
        screening = drug.trial_bolus.value.high
        which = (
            f"the largest screening dose {fmt(screening, drug)} ({drug.trial_bolus.cite()}; the "
            f"effective screening dose was not given)"
        )
    else:
        return None
    factor = start.factor.value
    return StartLimit(
        low=None,
        high=screening * factor / DAY,
        high_severity=start.severity,
        what=f"starting maximum, {factor.normalize():f} × {which}",
        cite=start.factor.cite(),
        source=start.factor.source,
    )


def start_limit(drug: Drug, subject: RuleInput) -> StartLimit | None:
    """The starting limit for ``drug`` for this patient (screening-based, else range-based)."""
    return _screening_limit(drug, subject) or _range_limit(drug, subject)


def started_drugs(subject: RuleInput) -> Iterator[tuple[Drug, DoseRate]]:
    """Each drug new to the pump (not an opioid rotation) with its proposed daily dose."""
    proposed = subject.proposed
    if proposed is None:
        return
    doses = proposed.component_doses()
    opioid_now = any(subject.drug(d).is_opioid for d in subject.context.current_drugs)
    for drug_id in subject.context.new_drugs:
        drug = subject.drug(drug_id)
        if drug.is_opioid and opioid_now:
            continue  # a rotation (.rotation)
        yield drug, doses[drug_id]


def _starts(subject: RuleInput) -> Iterator[tuple[Drug, DoseRate, StartLimit]]:
    for drug, dose in started_drugs(subject):
        limit = start_limit(drug, subject)
        if limit is not None:
            yield drug, dose, limit


def _where(subject: RuleInput, drug: Drug) -> str:
    if subject.context.current_drugs:
        return f"{drug.id} is new to the pump, a new start"
    return f"new start of {drug.id}"


def _range_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    parts = []
    for drug in library.drugs.values():
        for label, rng in (("naive", drug.start_naive), ("tolerant", drug.start_tolerant)):
            if rng is not None:
                top = "label maximum" if rng.value.high_severity is LimitSeverity.HARD else ""
                parts.append(
                    f"{drug.id} {label} {fmt(rng.value.low, drug)}–{fmt(rng.value.high, drug)}"
                    f"{' (top: ' + top + ')' if top else ''} ({rng.cite()})"
                )
        if drug.start_from_screening is not None:
            factor = drug.start_from_screening.factor
            parts.append(
                f"{drug.id} ≤ {factor.value.normalize():f} × the effective screening dose "
                f"({factor.cite()})"
            )
    parts.append(
        "other opioids, tolerant: morphine's tolerant range at their intrathecal morphine ratio"
    )
    return "; ".join(parts)


@rule(
    code="ITS-DOSE-005",
    severity=Severity.OVERRIDE,
    checks="each drug new to the pump (a new start, an added adjuvant, a switch to a non-opioid): its daily dose inside its consensus starting range",
    threshold=_range_text,
    source="drug library start_naive / start_tolerant / start_from_screening",
)
def start_dose_outside_range(subject: RuleInput) -> Iterator[Hit]:
    for drug, dose, limit in _starts(subject):
        above = dose > limit.high and limit.high_severity is LimitSeverity.SOFT
        below = limit.low is not None and dose < limit.low
        if not (above or below):
            continue
        bounds = (
            f"{fmt(limit.low, drug)}–{fmt(limit.high, drug)}"
            if limit.low
            else f"≤ {fmt(limit.high, drug)}"
        )
        yield Hit(
            message=(
                f"{_where(subject, drug)} at {fmt(dose, drug)}: outside the {limit.what} "
                f"{bounds} ({limit.cite})"
            ),
            source=limit.source,
            fields={"drug": drug.id, "value": dose, "low": limit.low or "", "high": limit.high},
        )


@rule(
    code="ITS-DOSE-007",
    severity=Severity.BLOCK,
    checks="each drug new to the pump: its daily dose at or below a label starting maximum",
    threshold=lambda library, _policy: (
        "; ".join(
            f"{d.id} ≤ {fmt(r.value.high, d)} ({label}, {r.cite()})"
            for d in library.drugs.values()
            for label, r in (("naive", d.start_naive), ("tolerant", d.start_tolerant))
            if r is not None and r.value.high_severity is LimitSeverity.HARD
        )
        + "; baclofen ≤ 2 × the effective screening dose (S16)"
    ),
    source="drug library starting ranges with a label top; start_from_screening",
)
def start_above_label_maximum(subject: RuleInput) -> Iterator[Hit]:
    for drug, dose, limit in _starts(subject):
        if limit.high_severity is LimitSeverity.HARD and dose > limit.high:
            yield Hit(
                message=(
                    f"{_where(subject, drug)} at {fmt(dose, drug)}"
                    f"{subject.per_kg(dose, drug) if drug.is_child(subject.age) else ''}: above "
                    f"{fmt(limit.high, drug)}, the label's {limit.what} ({limit.cite})"
                ),
                source=limit.source,
                fields={"drug": drug.id, "value": dose, "limit": limit.high},
            )


@rule(
    code="ITS-GUARD-006",
    severity=Severity.BLOCK,
    checks="each drug new to the pump against its starting range (ten-fold / unit error)",
    threshold=lambda _library, policy: (
        f"daily dose ≥ {policy.ten_fold_ratio} × the top or ≤ 1/{policy.ten_fold_ratio} of the "
        f"bottom of the starting range"
    ),
    source="safety:SR-05, safety:S26, safety:S28; drug library starting ranges",
)
def start_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    factor = Decimal(subject.policy.ten_fold_ratio)
    for drug, dose, limit in _starts(subject):
        high = dose.value >= limit.high.value * factor
        low = limit.low is not None and dose.value <= limit.low.value / factor
        if high or low:
            side = (
                f"{plain_ratio(dose, limit.high)} × the top"
                if high
                else "a tenth or less of the bottom"
            )
            yield Hit(
                message=(
                    f"{_where(subject, drug)} at {fmt(dose, drug)} is {side} of its {limit.what} "
                    f"({limit.cite}): probable misplaced decimal, extra/omitted zero or mg↔mcg error"
                ),
                source=f"safety:SR-05, {limit.source}",
                fields={"drug": drug.id, "value": dose, "high": limit.high},
            )


def plain_ratio(dose: DoseRate, reference: DoseRate) -> str:
    """``dose ÷ reference`` to at most one decimal place, marked approximate when shortened."""
    ratio = dose / reference
    shown = ratio.quantize(Decimal("0.1"))
    return f"{shown.normalize():f}" if shown == ratio else f"≈ {shown.normalize():f}"


@rule(
    code="ITS-GUARD-007",
    severity=Severity.BLOCK,
    checks="an effective screening dose stated for a start from screening, against the drug's screening range (a larger one would raise the starting maximum)",
    threshold=lambda library, _policy: "; ".join(
        f"{d.id} ≤ {fmt(d.trial_bolus.value.high, d)} ({d.trial_bolus.cite()})"
        for d in library.drugs.values()
        if d.start_from_screening is not None and d.trial_bolus is not None
    ),
    source="drug library trial_bolus; safety:SR-05",
)
def screening_dose_out_of_range(subject: RuleInput) -> Iterator[Hit]:
    given = subject.context.proposal.effective_screening_dose
    if given is None:
        return
    for drug, _dose in started_drugs(subject):
        screening = drug.trial_bolus
        if drug.start_from_screening is None or screening is None:
            continue
        if given > screening.value.high:
            yield Hit(
                message=(
                    f"effective screening dose {fmt(given, drug)} for the {drug.id} start is above "
                    f"the largest screening dose {fmt(screening.value.high, drug)} "
                    f"({screening.cite()}): probable entry error — it would raise the starting "
                    f"maximum"
                ),
                source=f"{screening.source}, safety:SR-05",
                fields={"drug": drug.id, "screening_dose": given},
            )


RULES = (
    start_dose_outside_range,
    start_above_label_maximum,
    start_ten_fold,
    screening_dose_out_of_range,
)
