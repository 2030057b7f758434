"""Opioid rotation and drugs leaving the pump.

An opioid that is new to a pump already holding an opioid is a switch (rotation). It is checked in
intrathecal morphine equivalents with each opioid's sourced ratio (``it_morphine_ratio`` in
``drugs.toml``), always at the conservative end: the current dose at the ratio's low end, the new
one at its high end.

* the new regimen ten times the current one (or a tenth), or worse → block: a unit, decimal or
  conversion error (SR-05 applied across drugs);
* the new regimen without the clinic's required reduction for incomplete cross-tolerance
  (``rotation_reduction_pct``, 25 % by default; clinical.md §2.1: a mandatory reduction) → override;
* the new opioid's concentration ten times (or a tenth of) the current one in morphine terms →
  override (probable decimal or unit error in the concentration);
* a drug with a moderate or high withdrawal risk leaving the pump (not replaced by another opioid)
  → override: its whole dose stops at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.drugs import WithdrawalRisk
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import Concentration, DoseRate

__all__ = ["RULES", "MorphineEquivalent", "is_rotation"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class MorphineEquivalent:
    """An intrathecal morphine-equivalent dose as a range (low–high ends of the ratios)."""

    low: DoseRate
    high: DoseRate
    parts: str  # "morphine 2 mg/day at 1:1 (S24 [C])"
    sources: str  # the ratios' source keys

    def text(self) -> str:
        low, high = fmt(self.low), fmt(self.high)
        return low if low == high else f"{low}–{high}"


def _opioids(subject: RuleInput, doses: dict[str, DoseRate]) -> dict[str, DoseRate]:
    return {d: dose for d, dose in doses.items() if subject.drug(d).is_opioid}


def _equivalent(subject: RuleInput, doses: dict[str, DoseRate]) -> MorphineEquivalent:
    low, high, parts, sources = DoseRate(Decimal(0)), DoseRate(Decimal(0)), [], []
    for drug_id, dose in _opioids(subject, doses).items():
        drug = subject.drug(drug_id)
        ratio = drug.it_morphine_ratio
        if ratio is None:
            continue
        low += dose * ratio.value.low
        high += dose * ratio.value.high
        parts.append(f"{drug_id} {fmt(dose, drug)} at {ratio.value} ({ratio.cite()})")
        sources.append(ratio.source)
    return MorphineEquivalent(
        low=low, high=high, parts=" + ".join(parts), sources=", ".join(sources)
    )


def is_rotation(subject: RuleInput) -> bool:
    """An opioid new to a pump that holds an opioid now."""
    new = [d for d in subject.context.new_drugs if subject.drug(d).is_opioid]
    current = [d for d in subject.context.current_drugs if subject.drug(d).is_opioid]
    return bool(new and current)


def _switch(subject: RuleInput) -> tuple[MorphineEquivalent, MorphineEquivalent] | None:
    if not is_rotation(subject) or subject.proposed is None or subject.current is None:
        return None
    before = _equivalent(subject, subject.current.component_doses())
    after = _equivalent(subject, subject.proposed.component_doses())
    if before.low.value <= 0 or after.low.value <= 0:
        return None
    return before, after


def _describe(before: MorphineEquivalent, after: MorphineEquivalent) -> str:
    return (
        f"switch {before.parts} → {after.parts}: in intrathecal morphine equivalents "
        f"{before.text()} → {after.text()}"
    )


def _times(value: Decimal) -> str:
    shown = value.quantize(Decimal("0.01"))
    return f"{shown.normalize():f}" if shown == value else f"≈ {shown.normalize():f}"


@rule(
    code="ITS-ROT-001",
    severity=Severity.BLOCK,
    checks="an opioid switch: the new regimen against the current one in intrathecal morphine equivalents, and against the rotation's starting dose (the current less the required reduction) (ten-fold / unit / conversion error)",
    threshold=lambda _library, policy: (
        f"new ÷ current ≤ 1/{policy.ten_fold_ratio}, or new ÷ (current × (1 − "
        f"{policy.rotation_reduction_pct} %)) ≥ {policy.ten_fold_ratio}, at any end of the ratios"
    ),
    source="safety:SR-05; drug library it_morphine_ratio",
)
def rotation_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    switch = _switch(subject)
    if switch is None:
        return
    before, after = switch
    factor = Decimal(subject.policy.ten_fold_ratio)
    reduction = Decimal(subject.policy.rotation_reduction_pct) / 100
    most, least = after.high / before.low, after.low / before.high
    start = before.low.mg_per_day * (1 - reduction)  # the rotation's starting dose
    most_vs_start = after.high.mg_per_day / start
    if most_vs_start >= factor or least <= 1 / factor:
        ratio = f"{_times(least)}–{_times(most)} ×" if least != most else f"{_times(most)} ×"
        above_start = (
            f" and {_times(most_vs_start)} × the rotation's starting dose (the current less the "
            f"required {subject.policy.rotation_reduction_pct} %, "
            f"{ClinicPolicy.source('rotation_reduction_pct')})"
            if most_vs_start >= factor
            else ""
        )
        yield Hit(
            message=(
                f"{_describe(before, after)}, {ratio} the current dose{above_start}: probable "
                f"unit, decimal or conversion error"
            ),
            source=f"safety:SR-05, {before.sources}, {after.sources}",
            fields={
                "before_mg_per_day": before.low.mg_per_day,
                "after_mg_per_day": after.high.mg_per_day,
            },
        )


@rule(
    code="ITS-ROT-002",
    severity=Severity.OVERRIDE,
    checks="an opioid switch: the new regimen at least the clinic's required reduction below the current one in intrathecal morphine equivalents",
    threshold=lambda _library, policy: (
        f"new (high end of its ratio) ≤ current (low end) × (1 − {policy.rotation_reduction_pct} %) "
        f"({ClinicPolicy.source('rotation_reduction_pct')})"
    ),
    source=f"clinical.md §2.1; {ClinicPolicy.source('rotation_reduction_pct')}",
)
def rotation_without_reduction(subject: RuleInput) -> Iterator[Hit]:
    switch = _switch(subject)
    if switch is None:
        return
    before, after = switch
    reduction = subject.policy.rotation_reduction_pct
    allowed = before.low * ((_HUNDRED - reduction) / _HUNDRED)
    if after.high > allowed:
        yield Hit(
            message=(
                f"{_describe(before, after)}; a switch starts at least {reduction} % below the "
                f"equivalent dose for incomplete cross-tolerance, at most {fmt(allowed)} "
                f"({ClinicPolicy.source('rotation_reduction_pct')})"
            ),
            source=ClinicPolicy.source("rotation_reduction_pct"),
            fields={
                "allowed_mg_per_day": allowed.mg_per_day,
                "after_mg_per_day": after.high.mg_per_day,
            },
        )


def _concentration_equivalent(
    subject: RuleInput, drug_id: str, concentration: Concentration, *, most_potent: bool
) -> Concentration | None:
    ratio = subject.drug(drug_id).it_morphine_ratio
    if ratio is None:
        return None
    return concentration * (ratio.value.high if most_potent else ratio.value.low)


@rule(
    code="ITS-ROT-003",
    severity=Severity.OVERRIDE,
    checks="an opioid switch: the new opioid's concentration against the current opioid's in intrathecal morphine equivalents",
    threshold=lambda _library, policy: (
        f"new ÷ current ≥ {policy.ten_fold_ratio} or ≤ 1/{policy.ten_fold_ratio} at any end of the ratios"
    ),
    source="safety:SR-05, S107; drug library it_morphine_ratio",
)
def rotation_concentration_ten_fold(subject: RuleInput) -> Iterator[Hit]:
    if _switch(subject) is None or subject.proposed is None or subject.current is None:
        return
    old = next(c for c in subject.current.admixture.components if subject.drug(c.drug_id).is_opioid)
    old_low = _concentration_equivalent(subject, old.drug_id, old.concentration, most_potent=False)
    old_high = _concentration_equivalent(subject, old.drug_id, old.concentration, most_potent=True)
    factor = Decimal(subject.policy.ten_fold_ratio)
    for component in subject.proposed.admixture.components:
        if component.drug_id not in subject.context.new_drugs:
            continue
        new_high = _concentration_equivalent(
            subject, component.drug_id, component.concentration, most_potent=True
        )
        new_low = _concentration_equivalent(
            subject, component.drug_id, component.concentration, most_potent=False
        )
        if new_high is None or new_low is None or old_low is None or old_high is None:
            continue
        most, least = new_high / old_low, new_low / old_high
        if most >= factor or least <= 1 / factor:
            drug, old_drug = subject.drug(component.drug_id), subject.drug(old.drug_id)
            yield Hit(
                message=(
                    f"{component.drug_id} {fmt(component.concentration, drug)} replaces "
                    f"{old.drug_id} {fmt(old.concentration, old_drug)}: {_times(least)}–"
                    f"{_times(most)} × its concentration in morphine equivalents; check the "
                    f"concentration for a decimal or unit error (S107)"
                ),
                source="safety:SR-05, S107",
                fields={"drug": component.drug_id, "concentration": component.concentration},
            )


def _removal_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    risky = [
        f"{d.id} ({d.withdrawal_risk.value.value}, {d.withdrawal_risk.cite()})"
        for d in library.drugs.values()
        if d.withdrawal_risk.value.rank >= WithdrawalRisk.MODERATE.rank
    ]
    return "drugs with a moderate or high withdrawal risk: " + ", ".join(risky)


@rule(
    code="ITS-STEP-008",
    severity=Severity.OVERRIDE,
    checks="a drug with a moderate or high withdrawal risk leaves the pump in one change (not an opioid replaced by another opioid)",
    threshold=_removal_text,
    source="drug library withdrawal_risk; S18, S94, ext:DURACLON",
)
def drug_removed(subject: RuleInput) -> Iterator[Hit]:
    current = subject.current
    if current is None:
        return
    doses = current.component_doses()
    replaced_by_opioid = any(subject.drug(d).is_opioid for d in subject.context.new_drugs)
    for drug_id in subject.context.removed_drugs:
        drug = subject.drug(drug_id)
        risk = drug.withdrawal_risk
        if risk.value.rank < WithdrawalRisk.MODERATE.rank:
            continue
        if drug.is_opioid and replaced_by_opioid:
            continue
        yield Hit(
            message=(
                f"{drug_id} leaves the pump: its {fmt(doses[drug_id], drug)} stops at once; "
                f"withdrawal risk {risk.value.value} ({risk.cite()}{'; ' + risk.note if risk.note else ''}): "
                f"taper it, or confirm the stop"
            ),
            source=risk.source,
            fields={"drug": drug_id, "dose": doses[drug_id]},
        )


RULES = (
    rotation_ten_fold,
    rotation_without_reduction,
    rotation_concentration_ten_fold,
    drug_removed,
)
