"""What a rule is: a small named callable over a :class:`RuleInput` that returns findings.

Each rule has one code and one severity, says what it checks, describes its threshold from the
library and policy actually in use, and names its source. The catalogue
(:mod:`thecal.domain.safety.catalogue`) is generated from these attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from thecal.domain.devices import PumpModel
from thecal.domain.drugs import Drug, TitrationScope
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.quantity_text import Quantity, format_quantity
from thecal.domain.safety.context import (
    ActionKind,
    Indication,
    OpioidStatus,
    Prescription,
    ReviewContext,
    SpasticityOrigin,
)
from thecal.domain.safety.findings import Finding, Severity
from thecal.domain.units import DoseRate, Duration, plain

__all__ = ["DOSING_ACTIONS", "Hit", "Rule", "RuleInput", "Threshold", "fmt", "hours", "pct", "rule"]

Threshold = Callable[[ReferenceLibrary, ClinicPolicy], str]

#: Actions that put a (new or continued) prescription into the pump.
DOSING_ACTIONS = frozenset({ActionKind.NEW_START, ActionKind.PROGRAM_CHANGE, ActionKind.REFILL})


def fmt(quantity: Quantity, drug: Drug | None = None) -> str:
    """A quantity as text with its unit (the drug's dose unit if given), never rounded silently."""
    return format_quantity(quantity, mass=drug.dose_unit if drug else None, places=4)


def hours(duration: Duration) -> str:
    """A duration in hours to one decimal place (``36 h``, ``5.5 h``)."""
    return f"{plain(duration.in_hours.quantize(Decimal('0.1')))} h"


def pct(value: Decimal) -> str:
    """A percentage to one decimal place (``33.3 %``)."""
    return f"{plain(value.quantize(Decimal('0.1')))} %"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """What a rule reports; the rule adds its code and severity to make a finding."""

    message: str
    source: str
    fields: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleInput:
    """A review context with the library and policy it is judged against."""

    context: ReviewContext
    library: ReferenceLibrary
    policy: ClinicPolicy

    def drug(self, drug_id: str) -> Drug:
        return self.library.drug(drug_id)

    @property
    def pump_model(self) -> PumpModel | None:
        pump = self.context.pump
        return self.library.pump(pump.model) if pump is not None else None

    @property
    def doses_a_prescription(self) -> bool:
        return self.context.action in DOSING_ACTIONS

    @property
    def proposed(self) -> Prescription | None:
        """The newly proposed prescription, only for actions that put one into the pump."""
        return self.context.proposal.prescription if self.doses_a_prescription else None

    @property
    def current(self) -> Prescription | None:
        current = self.context.current
        return current.prescription if current is not None else None

    @property
    def age(self) -> int:
        return self.context.patient.age_years

    def titration_scopes(self, drug: Drug | None = None) -> frozenset[TitrationScope]:
        """The patient's titration scopes; an unknown spasticity origin gets both (the stricter
        limit then applies); a child for ``drug`` (below its paediatric age) adds ``child``."""
        patient = self.context.patient
        scopes = {TitrationScope.CANCER if patient.cancer else TitrationScope.NON_CANCER}
        if patient.indication is Indication.SPASTICITY or patient.spasticity_origin is not None:
            if patient.spasticity_origin is not SpasticityOrigin.CEREBRAL:
                scopes.add(TitrationScope.SPINAL_ORIGIN)
            if patient.spasticity_origin is not SpasticityOrigin.SPINAL:
                scopes.add(TitrationScope.CEREBRAL_ORIGIN)
        if drug is not None and drug.is_child(patient.age_years):
            scopes.add(TitrationScope.CHILD)
        return frozenset(scopes)

    def per_kg(self, dose: DoseRate, drug: Drug) -> str:
        """`` (29.2 mcg/kg/day at 24 kg)`` when the patient's weight is given, else ``""``: shown
        with paediatric findings (no sourced per-kilogram limit exists)."""
        weight = self.context.patient.weight_kg
        if weight is None:
            return ""
        per = dose.to(drug.dose_unit) / weight
        shown = per.quantize(Decimal("0.1"))
        approx = "" if shown == per else "≈ "
        return f" ({approx}{plain(shown)} {drug.dose_unit.symbol}/kg/day at {plain(weight)} kg)"

    @property
    def opioid_naive(self) -> bool:
        """Opioid-naive as recorded, or not recorded and no opioid in the pump now (a patient on
        an intrathecal opioid is tolerant to it)."""
        status = self.context.patient.opioid_status
        if status is not None:
            return status is OpioidStatus.NAIVE
        return not any(self.drug(d).is_opioid for d in self.context.current_drugs)

    def raised_or_new(self) -> tuple[tuple[str, DoseRate, DoseRate | None], ...]:
        """(drug, new dose, old dose or None) of every component of the proposal that is new to
        the pump or whose daily dose rises."""
        proposed = self.proposed
        if proposed is None:
            return ()
        old = self.current.component_doses() if self.current and self.context.current_drugs else {}
        return tuple(
            (drug_id, dose, old.get(drug_id))
            for drug_id, dose in proposed.component_doses().items()
            if drug_id not in old or dose > old[drug_id]
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One safety rule: a named check with one code and one severity."""

    name: str
    code: str
    severity: Severity
    checks: str
    threshold: Threshold
    source: str
    check: Callable[[RuleInput], Iterable[Hit]]

    def __call__(self, subject: RuleInput) -> tuple[Finding, ...]:
        return tuple(
            Finding(
                code=self.code,
                severity=self.severity,
                message=hit.message,
                source=hit.source,
                fields={key: str(value) for key, value in hit.fields.items()},
            )
            for hit in self.check(subject)
        )

    def __repr__(self) -> str:
        return f"<Rule {self.code} {self.severity.value} {self.name}>"


def _as_threshold(threshold: str | Threshold) -> Threshold:
    if isinstance(threshold, str):
        text = threshold
        return lambda _library, _policy: text
    return threshold


def rule(
    *, code: str, severity: Severity, checks: str, threshold: str | Threshold, source: str
) -> Callable[[Callable[[RuleInput], Iterator[Hit]]], Rule]:
    """Turn a generator of :class:`Hit` into a :class:`Rule` with its catalogue entry."""

    def wrap(check: Callable[[RuleInput], Iterator[Hit]]) -> Rule:
        return Rule(
            name=check.__name__,
            code=code,
            severity=severity,
            checks=checks,
            threshold=_as_threshold(threshold),
            source=source,
            check=check,
        )

    return wrap
