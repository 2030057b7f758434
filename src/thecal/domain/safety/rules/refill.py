"""Refills, the procedure: reservoir capacity, aspiration, the ziconotide first-fill protocol and
volume reconciliation (expected vs measured residual; missing reconciliation; the nurse's
readings against the pump's figures). The schedule
(stability, intervals, alarms) is :mod:`.refill_schedule`; withdrawal-risk dates :mod:`.withdrawal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind, Refill
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, pct, rule
from thecal.domain.units import Duration, Volume

__all__ = ["RULES", "days_between", "refill_of"]

_HUNDRED = Decimal(100)


def refill_of(subject: RuleInput) -> Refill | None:
    """The refill of a refill review (None for any other action)."""
    if subject.context.action is not ActionKind.REFILL:
        return None
    return subject.context.proposal.refill


def days_between(start: dt.datetime, end: dt.datetime) -> str:
    """``end − start`` in days to one decimal place, for a message."""
    days = Duration.from_timedelta(end - start).in_days
    return f"{days.quantize(Decimal('0.1')).normalize():f} days"


@rule(
    code="ITS-REFILL-001",
    severity=Severity.BLOCK,
    checks="refill volume against the pump's reservoir capacity",
    threshold=lambda library, _policy: "; ".join(
        f"{p.id} {fmt(p.reservoir.value)} ({p.reservoir.cite()})" for p in library.pumps.values()
    ),
    source="pump model reservoir; S73 (do not overfill)",
)
def refill_above_capacity(subject: RuleInput) -> Iterator[Hit]:
    refill, model = refill_of(subject), subject.pump_model
    if refill is None or model is None:
        return
    if refill.volume > model.reservoir.value:
        yield Hit(
            message=(
                f"refill of {fmt(refill.volume)} exceeds the {model.name} reservoir of "
                f"{fmt(model.reservoir.value)} ({model.reservoir.cite()}); never overfill (S73)"
            ),
            source=f"{model.reservoir.source}, S73",
            fields={"volume": refill.volume, "capacity": model.reservoir.value},
        )


@rule(
    code="ITS-REFILL-004",
    severity=Severity.BLOCK,
    checks="the needle position was confirmed by aspiration before the drug is instilled",
    threshold="aspiration confirmed",
    source="S74, S77",
)
def aspiration_not_confirmed(subject: RuleInput) -> Iterator[Hit]:
    refill = refill_of(subject)
    if refill is not None and not refill.aspiration_confirmed:
        yield Hit(
            message=(
                "aspiration not confirmed: inject about 5 mL and aspirate it back before "
                "instilling the rest (S74); a missed reservoir is a pocket fill (S77)"
            ),
            source="S74, S77",
        )


def _discrepancy_limits(subject: RuleInput) -> tuple[Volume, Decimal] | None:
    model = subject.pump_model
    if model is None:
        return None
    threshold = subject.policy.refill_discrepancy_threshold or model.discrepancy_threshold.value
    band = subject.policy.refill_accuracy_band_pct or model.accuracy_band_pct.value
    return threshold, band


@rule(
    code="ITS-REFILL-007",
    severity=Severity.OVERRIDE,
    checks="measured vs expected residual volume at refill (reconciliation)",
    threshold=lambda library, policy: "; ".join(
        f"{p.id}: > {fmt(policy.refill_discrepancy_threshold or p.discrepancy_threshold.value)} "
        f"({p.discrepancy_threshold.cite()}) or outside ±{policy.refill_accuracy_band_pct or p.accuracy_band_pct.value} % "
        f"of the volume delivered ({p.accuracy_band_pct.cite()})"
        for p in library.pumps.values()
    ),
    source="pump model discrepancy_threshold (S75), accuracy_band_pct (S62); clinic policy",
)
def reconciliation_discrepancy(subject: RuleInput) -> Iterator[Hit]:
    refill, limits = refill_of(subject), _discrepancy_limits(subject)
    if refill is None or limits is None:
        return
    if refill.expected_residual is None or refill.measured_residual is None:
        return
    threshold, band = limits
    difference = refill.measured_residual - refill.expected_residual
    reasons = []
    if abs(difference) > threshold:
        reasons.append(f"more than {fmt(threshold)} (S75)")
    delivered = refill.expected_delivered
    if delivered is not None and delivered.value > 0:
        deviation = abs(difference).ml / delivered.ml * _HUNDRED
        if deviation > band:
            reasons.append(
                f"{pct(deviation)} of the {fmt(delivered)} delivered, outside ±{band} % (S62)"
            )
    if not reasons:
        return
    if difference.value < 0:
        meaning = (
            "less fluid than expected: over-delivery, a leak, or drug lost outside the reservoir — "
            "suspect a previous pocket fill; check the patient for overdose signs"
        )
    else:
        meaning = (
            "more fluid than expected: under-delivery — suspect a stalled or blocked pump, catheter "
            "occlusion, kink or disconnection; check for withdrawal signs"
        )
    yield Hit(
        message=(
            f"measured residual {fmt(refill.measured_residual)} vs expected {fmt(refill.expected_residual)}: "
            f"{'+' if difference.value > 0 else '−'}{fmt(abs(difference))}, {' and '.join(reasons)}; "
            f"{meaning}. Work-up: pocket-fill checklist, pump interrogation and log review, "
            f"catheter dye study or imaging if unexplained (S73, S74, S75, S77)"
        ),
        source="S75, S62, S77",
        fields={
            "expected": refill.expected_residual,
            "measured": refill.measured_residual,
            "difference": difference,
        },
    )


def _first_fill_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    return "; ".join(
        f"{d.id}: {d.first_fill.rinses.value} × {fmt(d.first_fill.rinse_volume)} rinses, then "
        f"{fmt(d.first_fill.concentration.value, d)} ({d.first_fill.concentration.cite()})"
        for d in library.drugs.values()
        if d.first_fill is not None
    )


@rule(
    code="ITS-REFILL-010",
    severity=Severity.BLOCK,
    checks="the first fill of a pump with a drug that has a first-fill protocol: the protocol's concentration and rinses",
    threshold=_first_fill_text,
    source="drug library first_fill; S12",
)
def first_fill_protocol(subject: RuleInput) -> Iterator[Hit]:
    refill = refill_of(subject)
    if refill is None or not refill.first_fill:
        return
    for component in refill.admixture.components:
        drug = subject.drug(component.drug_id)
        protocol = drug.first_fill
        if protocol is None:
            continue
        wanted = protocol.concentration
        if component.concentration != wanted.value or len(refill.admixture.components) > 1:
            yield Hit(
                message=(
                    f"first {drug.id} fill of a naive pump with "
                    f"{' + '.join(f'{c.drug_id} {fmt(c.concentration, subject.drug(c.drug_id))}' for c in refill.admixture.components)}: "
                    f"the protocol fills with {drug.id} {fmt(wanted.value, drug)} alone ({wanted.cite()})"
                ),
                source=wanted.source,
                fields={"drug": drug.id, "concentration": component.concentration},
            )
        rinses = protocol.rinses
        if refill.rinses is not None and refill.rinses < rinses.value:
            yield Hit(
                message=(
                    f"first {drug.id} fill after {refill.rinses} rinse(s): the protocol rinses the "
                    f"reservoir {rinses.value} × {fmt(protocol.rinse_volume)} with "
                    f"{fmt(wanted.value, drug)} first ({rinses.cite()}): drug adsorbs to titanium"
                ),
                source=rinses.source,
                fields={"drug": drug.id, "rinses": refill.rinses},
            )


@rule(
    code="ITS-REFILL-011",
    severity=Severity.WARN,
    checks="the first fill of a pump with a drug that has a first-fill protocol: the rinses are recorded",
    threshold="the number of rinses stated in the request",
    source="drug library first_fill; S12",
)
def first_fill_rinses_not_recorded(subject: RuleInput) -> Iterator[Hit]:
    refill = refill_of(subject)
    if refill is None or not refill.first_fill or refill.rinses is not None:
        return
    for drug_id in refill.admixture.drug_ids:
        protocol = subject.drug(drug_id).first_fill
        if protocol is not None:
            yield Hit(
                message=(
                    f"first {drug_id} fill: the reservoir rinses are not recorded; confirm "
                    f"{protocol.rinses.value} × {fmt(protocol.rinse_volume)} of "
                    f"{fmt(protocol.concentration.value, subject.drug(drug_id))} before the fill "
                    f"({protocol.rinses.cite()})"
                ),
                source=protocol.rinses.source,
                fields={"drug": drug_id},
            )


@rule(
    code="ITS-REFILL-012",
    severity=Severity.OVERRIDE,
    checks="a refill of a pump that held drug: the expected and the measured residual are both recorded (reconciliation)",
    threshold="expected and measured residual present (every refill but a first fill)",
    source="S73, S74, S75, S77",
)
def reconciliation_missing(subject: RuleInput) -> Iterator[Hit]:
    refill = refill_of(subject)
    if refill is None or refill.first_fill:
        return
    missing = [
        name
        for name, value in (
            ("expected (pump-predicted)", refill.expected_residual),
            ("measured (withdrawn)", refill.measured_residual),
        )
        if value is None
    ]
    if missing:
        yield Hit(
            message=(
                f"no {' or '.join(missing)} residual: without reconciliation at every refill a "
                f"pocket fill, leak or stalled pump goes unseen (S73, S74, S75, S77); empty the "
                f"reservoir, record both volumes"
            ),
            source="S73, S74, S75, S77",
            fields={"missing": ", ".join(missing)},
        )


def _reading_gaps(refill: Refill) -> Iterator[tuple[str, Volume, str, Volume]]:
    """(what the nurse read, the reading, what the pump holds, its figure) for each reading."""
    if refill.withdrawn_as_read is not None and refill.measured_residual is not None:
        yield (
            "withdrawn",
            refill.withdrawn_as_read,
            "the pump's measured residual",
            refill.measured_residual,
        )
    if refill.injected_as_read is not None:
        yield "injected", refill.injected_as_read, "the fill recorded on the pump", refill.volume


@rule(
    code="ITS-REFILL-013",
    severity=Severity.WARN,
    checks="the volumes the nurse read off the syringes (withdrawn, injected) against the pump's figures",
    threshold=lambda library, policy: "; ".join(
        f"{p.id}: > {fmt(policy.refill_discrepancy_threshold or p.discrepancy_threshold.value)} "
        f"({p.discrepancy_threshold.cite()})"
        for p in library.pumps.values()
    ),
    source="clinical.md §11 rule 8 (S75, S77); pump model discrepancy_threshold",
)
def reading_differs_from_pump(subject: RuleInput) -> Iterator[Hit]:
    refill, limits = refill_of(subject), _discrepancy_limits(subject)
    if refill is None or limits is None:
        return
    threshold, _ = limits
    for what, read, theirs, figure in _reading_gaps(refill):
        difference = read - figure
        if abs(difference) <= threshold:
            continue
        yield Hit(
            message=(
                f"the nurse read {fmt(read)} {what}; {theirs} is {fmt(figure)}: "
                f"{'+' if difference.value > 0 else '−'}{fmt(abs(difference))}, more than "
                f"{fmt(threshold)} (S75). The record keeps both: re-read the syringe, interrogate "
                f"the pump and check the pocket for a pocket fill (S77) before the patient leaves"
            ),
            source="S75, S77",
            fields={"reading": what, "read": read, "pump": figure, "difference": difference},
        )


RULES = (
    refill_above_capacity,
    aspiration_not_confirmed,
    reconciliation_discrepancy,
    first_fill_protocol,
    first_fill_rinses_not_recorded,
    reconciliation_missing,
    reading_differs_from_pump,
)
