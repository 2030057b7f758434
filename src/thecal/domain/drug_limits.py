"""The limits a drug-library entry holds: dose limits, ranges, titration, stability, first fill.

Value objects only; :mod:`thecal.domain.drugs` assembles them into a :class:`~thecal.domain.drugs.Drug`
and :mod:`thecal.domain.library` reads them from ``drugs.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.sourced import Sourced
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume

__all__ = [
    "Bound",
    "DoseLimit",
    "DoseRange",
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
]


class LimitSeverity(Enum):
    """``hard``: a label limit, beyond it a proposal is blocked; ``soft``: a consensus limit,
    beyond it a documented override by two clinicians."""

    HARD = "hard"
    SOFT = "soft"


class LimitedQuantity(Enum):
    CONCENTRATION = "concentration"
    DAILY_DOSE = "daily_dose"


class Bound(Enum):
    MAX = "max"
    MIN = "min"


class Population(Enum):
    """Whom a limit applies to: everyone, children below the drug's paediatric age, or the rest."""

    ANY = "any"
    CHILD = "child"
    ADULT = "adult"


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseLimit:
    """One limit on a concentration or a daily dose."""

    quantity: LimitedQuantity
    bound: Bound
    severity: LimitSeverity
    limit: Sourced[Concentration] | Sourced[DoseRate]
    population: Population = Population.ANY

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
    """An inclusive range of daily doses (a starting range).

    ``high_severity`` says whether the top is a label limit (``hard``: a start above it is
    blocked) or a consensus range (``soft``: override). Below the bottom is always an override.
    """

    low: DoseRate
    high: DoseRate
    high_severity: LimitSeverity = LimitSeverity.SOFT

    def __contains__(self, dose: DoseRate) -> bool:
        return self.low <= dose <= self.high


@dataclass(frozen=True, slots=True, kw_only=True)
class MassRange:
    """An inclusive range of single doses (trial boluses)."""

    low: Mass
    high: Mass

    def __contains__(self, dose: Mass) -> bool:
        return self.low <= dose <= self.high


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningStart:
    """A drug started from its effective screening bolus (baclofen): the first daily dose is at
    most ``factor`` × that bolus (S16: twice the screening dose if its effect lasted < 8 h)."""

    factor: Sourced[Decimal]
    severity: LimitSeverity


@dataclass(frozen=True, slots=True, kw_only=True)
class EquianalgesicRatio:
    """Milligrams of intrathecal morphine matching one milligram of this drug intrathecally,
    as a range where sources disagree (``low`` ≤ ``high``)."""

    low: Decimal
    high: Decimal

    def __str__(self) -> str:
        low, high = (f"{value.normalize():f}" for value in (self.low, self.high))
        return f"{low}:1" if low == high else f"{low}–{high}:1"


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
    CHILD = "child"


class TitrationPhase(Enum):
    """When a titration limit applies: any time, the dose titration after a start (baclofen: the
    first days after implant), or maintenance therapy (S37: different label step limits)."""

    ANY = "any"
    TITRATION = "titration"
    MAINTENANCE = "maintenance"


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
    phase: TitrationPhase = TitrationPhase.ANY


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityRule:
    """How long the drug stays stable in the pump after a fill.

    ``undiluted_only``: applies only when the concentration is a commercial strength alone in the
    reservoir (ziconotide: 84 days undiluted, 40 days diluted or admixed).
    """

    days: Sourced[int]
    undiluted_only: bool = False
    diluted_only: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstFill:
    """The first fill of a pump with this drug (ziconotide, S12): rinse the reservoir
    ``rinses`` times with ``rinse_volume`` of ``concentration``, then fill with that
    concentration."""

    concentration: Sourced[Concentration]
    rinses: Sourced[int]
    rinse_volume: Volume
