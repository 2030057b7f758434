"""The drug library: what each intrathecal drug allows, with the source of every number.

Entries are loaded from ``thecal/data/drugs.toml`` by :mod:`thecal.domain.library`; this module
only defines their shape. Limits come in two severities (``clinical.md`` §11 rule 2):

* ``hard`` — a label limit: a proposal beyond it is blocked.
* ``soft`` — a consensus limit (mostly PACC, often unconfirmed): beyond it needs a documented
  override by two clinicians.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from thecal.domain.sourced import Sourced
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, MassUnit

__all__ = [
    "Bound",
    "DoseLimit",
    "DoseRange",
    "Drug",
    "DrugClass",
    "LimitSeverity",
    "LimitedQuantity",
    "MassRange",
    "StabilityRule",
    "TitrationLimit",
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


class LimitSeverity(Enum):
    HARD = "hard"
    SOFT = "soft"


class LimitedQuantity(Enum):
    CONCENTRATION = "concentration"
    DAILY_DOSE = "daily_dose"


class Bound(Enum):
    MAX = "max"
    MIN = "min"


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseLimit:
    """One limit on a concentration or a daily dose."""

    quantity: LimitedQuantity
    bound: Bound
    severity: LimitSeverity
    limit: Sourced[Concentration] | Sourced[DoseRate]

    def exceeded_by(self, value: Concentration | DoseRate) -> bool:
        """True when ``value`` lies beyond this limit (a value equal to the limit is within it)."""
        limit = self.limit.value
        if type(value) is not type(limit):
            msg = f"{self.quantity.value} limit compared with {type(value).__name__}"
            raise TypeError(msg)
        if self.bound is Bound.MAX:
            return value.value > limit.value
        return value.value < limit.value


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseRange:
    """An inclusive range of daily doses."""

    low: DoseRate
    high: DoseRate

    def __contains__(self, dose: DoseRate) -> bool:
        return self.low <= dose <= self.high


@dataclass(frozen=True, slots=True, kw_only=True)
class MassRange:
    """An inclusive range of single doses (trial boluses)."""

    low: Mass
    high: Mass

    def __contains__(self, dose: Mass) -> bool:
        return self.low <= dose <= self.high


class TitrationPolicy(Enum):
    """Which source a titration limit follows where label and consensus disagree (§6 of the
    architecture: clinic policy decides)."""

    LABEL = "label"
    CONSENSUS = "consensus"


class TitrationScope(Enum):
    """Which patients a titration limit applies to."""

    ANY = "any"
    CANCER = "cancer"
    NON_CANCER = "non-cancer"
    SPINAL_ORIGIN = "spinal-origin"
    CEREBRAL_ORIGIN = "cerebral-origin"


@dataclass(frozen=True, slots=True, kw_only=True)
class TitrationLimit:
    """The largest allowed increase per change and the shortest interval between increases.

    Either ``max_increase_pct`` (relative) or ``max_increase`` (absolute) is set, or both.
    """

    policy: TitrationPolicy
    scope: TitrationScope
    max_increase_pct: Sourced[int] | None = None
    max_increase: Sourced[DoseRate] | None = None
    min_interval: Sourced[Duration] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityRule:
    """How long the drug stays stable in the pump after a fill.

    ``undiluted_only``: applies only when the concentration is a commercial strength
    (ziconotide: 84 days undiluted, 40 days diluted).
    """

    days: Sourced[int]
    undiluted_only: bool = False
    diluted_only: bool = False


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

    @property
    def is_opioid(self) -> bool:
        return self.drug_class is DrugClass.OPIOID

    def is_commercial_strength(self, concentration: Concentration) -> bool:
        return any(strength.value == concentration for strength in self.strengths)

    def limits_on(self, quantity: LimitedQuantity) -> tuple[DoseLimit, ...]:
        return tuple(limit for limit in self.limits if limit.quantity is quantity)

    def stability_days(self, concentration: Concentration) -> Sourced[int] | None:
        """The shortest stability that applies to this drug at ``concentration``, if known."""
        undiluted = self.is_commercial_strength(concentration)
        rules = [
            rule
            for rule in self.stability
            if not (rule.undiluted_only and not undiluted) and not (rule.diluted_only and undiluted)
        ]
        if not rules:
            return None
        return min((rule.days for rule in rules), key=lambda sourced: sourced.value)

    def titration_limits(
        self, policy: TitrationPolicy, scopes: frozenset[TitrationScope]
    ) -> tuple[TitrationLimit, ...]:
        """Limits for ``policy`` that apply to a patient described by ``scopes``.

        Falls back to the other policy's limits when the drug has none under ``policy``.
        """
        wanted = scopes | {TitrationScope.ANY}
        chosen = [t for t in self.titration if t.policy is policy and t.scope in wanted]
        if chosen:
            return tuple(chosen)
        return tuple(t for t in self.titration if t.scope in wanted)
