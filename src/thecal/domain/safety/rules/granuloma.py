"""Granuloma watch: a fast yearly opioid dose rise (S86), a high opioid concentration (S90), and
signs of a catheter-tip mass recorded for the patient (S88).

The first two look only at what changes: a steady-state refill at an unchanged dose and
concentration gives no finding (no crying wolf). Recorded signs — a new neurological deficit, or a
loss of effect despite increases — make an opioid increase an override (work the signs up first:
escalation feeds the mass, S88, S92) and any other opioid program or refill a warning.
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


def _signs(subject: RuleInput) -> bool:
    return subject.context.patient.risk.granuloma_signs is True


_SIGNS = (
    "signs of a catheter-tip mass are recorded (new neurological deficit, or loss of effect "
    "despite increases, S88)"
)


@rule(
    code="ITS-GRAN-003",
    severity=Severity.OVERRIDE,
    checks="an opioid start or increase while signs of a catheter-tip mass are recorded",
    threshold="risk fact granuloma_signs recorded",
    source="S88, S92, S93",
)
def increase_with_granuloma_signs(subject: RuleInput) -> Iterator[Hit]:
    drugs = [d for d, _new, _old in subject.raised_or_new() if subject.drug(d).is_opioid]
    if drugs and _signs(subject):
        yield Hit(
            message=(
                f"{', '.join(drugs)} raised while {_SIGNS}: escalation does not treat a mass and "
                f"delayed recognition causes cord injury (S93) — image the catheter tip (MRI with "
                f"contrast) first; management stops infusion through that catheter (S92)"
            ),
            source="S88, S92, S93",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-GRAN-004",
    severity=Severity.WARN,
    checks="an opioid program or refill (no increase) while signs of a catheter-tip mass are recorded",
    threshold="risk fact granuloma_signs recorded",
    source="S88, S92",
)
def granuloma_signs_recorded(subject: RuleInput) -> Iterator[Hit]:
    prescription = subject.context.new_prescription
    if not subject.doses_a_prescription or prescription is None or not _signs(subject):
        return
    if any(subject.drug(d).is_opioid for d, _new, _old in subject.raised_or_new()):
        return  # ITS-GRAN-003
    opioids = [d for d in prescription.admixture.drug_ids if subject.drug(d).is_opioid]
    if opioids:
        yield Hit(
            message=(
                f"{', '.join(opioids)}: {_SIGNS}; arrange imaging of the catheter tip and a "
                f"neurological examination (S88, S92)"
            ),
            source="S88, S92",
            fields={"drugs": ", ".join(opioids)},
        )


RULES = (
    yearly_opioid_increase,
    concentration_at_granuloma_watch,
    increase_with_granuloma_signs,
    granuloma_signs_recorded,
)
