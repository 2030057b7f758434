"""Granuloma watch: a fast yearly opioid dose rise (S86) or a high opioid concentration (S90).

Both look only at what changes: a steady-state refill at an unchanged dose and concentration
gives no finding (no crying wolf).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, pct, rule

__all__ = ["RULES"]

_HUNDRED = Decimal(100)


@rule(
    code="ITS-GRAN-001",
    severity=Severity.WARN,
    checks="a proposed opioid dose against the dose one year ago (yearly increase)",
    threshold=lambda _library, policy: (
        f"increase above {policy.granuloma_yearly_increase_pct} % per year (clinic policy; S86)"
    ),
    source="S86, S88",
)
def yearly_opioid_increase(subject: RuleInput) -> Iterator[Hit]:
    proposed, current = subject.proposed, subject.context.current
    if proposed is None or current is None or current.daily_dose_year_ago is None:
        return
    primary = proposed.admixture.primary.drug_id
    drug = subject.drug(primary)
    if not drug.is_opioid or current.prescription.admixture.primary.drug_id != primary:
        return
    new, then = proposed.program().basal_daily_dose, current.daily_dose_year_ago
    if new == current.prescription.program().basal_daily_dose or then.value <= 0:
        return
    rise = (new.value - then.value) / then.value * _HUNDRED
    if rise > subject.policy.granuloma_yearly_increase_pct:
        yield Hit(
            message=(
                f"{primary} {fmt(then, drug)} a year ago → {fmt(new, drug)} now: +{pct(rise)} in a year, above "
                f"the clinic's {subject.policy.granuloma_yearly_increase_pct} % granuloma watch; the "
                f"yearly dose increase is associated with catheter-tip masses (S86): look for loss of "
                f"effect despite escalation and new neurological signs (S88)"
            ),
            source="S86, S88",
            fields={"drug": primary, "year_ago": then, "new": new},
        )


def _watch_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    return "; ".join(
        f"{d.id} ≥ {fmt(d.granuloma_watch_concentration.value, d)} ({d.granuloma_watch_concentration.cite()})"
        for d in library.drugs.values()
        if d.granuloma_watch_concentration
    )


@rule(
    code="ITS-GRAN-002",
    severity=Severity.WARN,
    checks="a new or changed opioid concentration at or above the library's granuloma watch level",
    threshold=_watch_text,
    source="drug library granuloma_watch_concentration; S90, S65",
)
def concentration_at_granuloma_watch(subject: RuleInput) -> Iterator[Hit]:
    proposed = subject.proposed
    if proposed is None:
        return
    current = subject.current
    for component in proposed.admixture.components:
        drug = subject.drug(component.drug_id)
        watch = drug.granuloma_watch_concentration
        old = current.admixture.concentration_of(component.drug_id) if current else None
        if watch is None or old == component.concentration:
            continue
        if component.concentration >= watch.value:
            yield Hit(
                message=(
                    f"{component.drug_id} {fmt(component.concentration, drug)} is at or above the "
                    f"granuloma watch level {fmt(watch.value, drug)} ({watch.cite()}); higher opioid "
                    f"concentration and dose raise catheter-tip mass risk (S65)"
                ),
                source=f"{watch.source}, S65",
                fields={"drug": component.drug_id, "concentration": component.concentration},
            )


RULES = (yearly_opioid_increase, concentration_at_granuloma_watch)
