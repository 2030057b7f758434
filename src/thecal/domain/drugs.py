"""The drug library: what each intrathecal drug allows, with the source of every number.

Entries are loaded from ``thecal/data/drugs.toml`` by :mod:`thecal.domain.library`; this module
only defines their shape. Limits come in two severities (``clinical.md`` §11 rule 2):

* ``hard`` — a label limit: a proposal beyond it is blocked.
* ``soft`` — a consensus limit (mostly PACC, often unconfirmed): beyond it needs a documented
  override by two clinicians.

Starting ranges, titration steps and daily maxima say which they are in the data file. A limit may
apply to a population (children below the drug's paediatric age, or everyone else) and a titration
limit to a phase (dose titration after implant, or maintenance).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from thecal.domain.drug_limits import (
    Bound,
    DoseLimit,
    DoseRange,
    EquianalgesicRatio,
    FirstFill,
    LimitedQuantity,
    LimitSeverity,
    MassRange,
    Population,
    ScreeningStart,
    StabilityRule,
    TitrationLimit,
    TitrationPhase,
    TitrationPolicy,
    TitrationScope,
)
from thecal.domain.sourced import Sourced
from thecal.domain.units import Concentration, DoseRate, MassUnit

__all__ = [
    "Bound",
    "DoseLimit",
    "DoseRange",
    "Drug",
    "DrugClass",
    "EquianalgesicRatio",
    "FirstFill",
    "LimitSeverity",
    "LimitedQuantity",
    "MassRange",
    "Population",
    "ScreeningStart",
    "StabilityRule",
    "TitrationLimit",
    "TitrationPhase",
    "TitrationPolicy",
    "TitrationScope",
    "WithdrawalRisk",
]


class DrugClass(Enum):
    OPIOID = "opioid"
    CALCIUM_CHANNEL_BLOCKER = "calcium-channel-blocker"  # ziconotide
    LOCAL_ANAESTHETIC = "local-anaesthetic"
    ALPHA2_AGONIST = "alpha2-agonist"
    GABA_B_AGONIST = "gaba-b-agonist"  # baclofen


class WithdrawalRisk(Enum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _WITHDRAWAL_RANK[self]


_WITHDRAWAL_RANK = {
    WithdrawalRisk.NONE: 0,
    WithdrawalRisk.LOW: 1,
    WithdrawalRisk.MODERATE: 2,
    WithdrawalRisk.HIGH: 3,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Drug:
    """One drug of the library (identity: ``id``)."""

    id: str
    name: str
    drug_class: DrugClass
    dose_unit: MassUnit
    strengths: tuple[Sourced[Concentration], ...]
    limits: tuple[DoseLimit, ...]
    start_naive: Sourced[DoseRange] | None
    start_tolerant: Sourced[DoseRange] | None
    titration: tuple[TitrationLimit, ...]
    trial_bolus: Sourced[MassRange] | None
    stability: tuple[StabilityRule, ...]
    first_fill_max_days: Sourced[int] | None
    patient_bolus_allowed: Sourced[bool]
    withdrawal_risk: Sourced[WithdrawalRisk]
    granuloma_watch_concentration: Sourced[Concentration] | None
    fda_approved_for_it: Sourced[bool]
    boxed_withdrawal_warning: Sourced[bool] | None = None
    start_from_screening: ScreeningStart | None = None
    daily_max_none_known: Sourced[bool] | None = None
    it_morphine_ratio: Sourced[EquianalgesicRatio] | None = None
    paediatric_below_age: Sourced[int] | None = None
    first_fill: FirstFill | None = None

    @property
    def is_opioid(self) -> bool:
        return self.drug_class is DrugClass.OPIOID

    @property
    def has_boxed_withdrawal_warning(self) -> bool:
        return self.boxed_withdrawal_warning is not None and self.boxed_withdrawal_warning.value

    def is_commercial_strength(self, concentration: Concentration) -> bool:
        return any(strength.value == concentration for strength in self.strengths)

    def limits_on(
        self, quantity: LimitedQuantity, *, age_years: int | None = None
    ) -> tuple[DoseLimit, ...]:
        """The limits on ``quantity`` that apply to a patient of ``age_years``.

        Population limits need the age: with it unknown, both the children's and everyone else's
        limits apply (the stricter one then binds).
        """
        return tuple(
            limit
            for limit in self.limits
            if limit.quantity is quantity and self._applies(limit.population, age_years)
        )

    def is_child(self, age_years: int | None) -> bool | None:
        """Whether a patient of ``age_years`` is below this drug's paediatric age (None: unknown)."""
        if self.paediatric_below_age is None or age_years is None:
            return None
        return age_years < self.paediatric_below_age.value

    def _applies(self, population: Population, age_years: int | None) -> bool:
        if population is Population.ANY:
            return True
        child = self.is_child(age_years)
        if child is None:
            return True
        return child is (population is Population.CHILD)

    def stability_days(
        self, concentration: Concentration, *, admixed: bool = False
    ) -> Sourced[int] | None:
        """The shortest stability that applies to this drug at ``concentration``, if known.

        An undiluted-only stability (ziconotide 84 days, S12) applies only to a commercial
        strength alone in the reservoir: in an admixture the drug is diluted by definition.
        """
        undiluted = self.is_commercial_strength(concentration) and not admixed
        rules = [
            rule
            for rule in self.stability
            if not (rule.undiluted_only and not undiluted) and not (rule.diluted_only and undiluted)
        ]
        if not rules:
            return None
        return min((rule.days for rule in rules), key=lambda sourced: sourced.value)

    def titration_limits(
        self,
        policy: TitrationPolicy,
        scopes: frozenset[TitrationScope],
        phase: TitrationPhase | None = None,
    ) -> tuple[TitrationLimit, ...]:
        """Limits for ``policy`` that apply to a patient described by ``scopes`` in ``phase``.

        An unknown phase applies the limits of every phase (the stricter one then binds). Falls
        back to the other policy's limits when the drug has none under ``policy``.
        """
        wanted = scopes | {TitrationScope.ANY}
        fitting = [
            t
            for t in self.titration
            if t.scope in wanted and (phase is None or t.phase in (TitrationPhase.ANY, phase))
        ]
        chosen = [t for t in fitting if t.policy is policy]
        return tuple(chosen or fitting)

    def daily_maxima(self, *, age_years: int | None = None) -> tuple[DoseLimit, ...]:
        """The daily-dose maxima that apply to a patient of ``age_years``."""
        return tuple(
            limit
            for limit in self.limits_on(LimitedQuantity.DAILY_DOSE, age_years=age_years)
            if limit.bound is Bound.MAX
        )

    def morphine_equivalent(self, dose: DoseRate, *, most_potent: bool) -> DoseRate | None:
        """Intrathecal morphine equivalent of ``dose`` of this opioid, or None (not an opioid).

        ``most_potent`` takes the high end of the ratio (the most morphine per unit of this
        drug), otherwise the low end: a conversion picks whichever end gives the smaller dose of
        the drug being started (clinical.md §2.1: a conservative conversion).
        """
        ratio = self.it_morphine_ratio
        if ratio is None:
            return None
        return dose * (ratio.value.high if most_potent else ratio.value.low)
