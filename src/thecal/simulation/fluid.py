"""The fluid path as plug flow: reservoir → pump internal path → catheter → catheter tip.

Fluid leaves the (well-mixed) reservoir into the pump's internal path, moves through the catheter
as a queue of plug-flow segments and exits at the tip. Each segment carries its
:class:`Mixture`, so the dose of each drug that reaches the patient over any interval is exact, and
a concentration change, a new admixture or a freshly implanted catheter full of CSF shows its true
lag: nothing new reaches the tip until the whole dead space (internal path + catheter) has been
pushed. Mixing by diffusion and Taylor dispersion in the catheter is not modelled [A]: at the
priming rate S53 warns that mixing can bring drug early and leave a dilute period after it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from thecal.domain.admixture import Admixture
from thecal.simulation.scale import UNITS_PER_ML

__all__ = ["CSF", "MASS_DENOMINATOR", "Fluid", "FluidPath", "Mixture", "Outflow", "Reservoir"]

#: Masses are accumulated as integers of 1/MASS_DENOMINATOR mcg whenever that is exact (always for
#: a pure admixture whose concentrations have at most 6 decimals in mcg/mL), else as Fractions.
MASS_DENOMINATOR = UNITS_PER_ML * 1_000_000


@dataclass(frozen=True, slots=True)
class Fluid:
    """A fluid that enters the system: an admixture, or drug-free CSF/saline."""

    key: str
    mcg_per_ml: tuple[tuple[str, Fraction], ...]

    @classmethod
    def of(cls, admixture: Admixture) -> Fluid:
        return _fluid_of(admixture)


@lru_cache(maxsize=256)
def _fluid_of(admixture: Admixture) -> Fluid:
    """The fluid of an (immutable) admixture; remembered, as every refill of it asks again."""
    return Fluid(
        key=admixture.describe(),
        mcg_per_ml=tuple(
            (c.drug_id, Fraction(c.concentration.mcg_per_ml)) for c in admixture.components
        ),
    )


CSF = Fluid(key="CSF/saline", mcg_per_ml=())


@lru_cache(maxsize=256)
def _pure(fluid: Fluid) -> Mixture:
    return Mixture.blend({fluid: Fraction(1)})


@dataclass(frozen=True, slots=True)
class Mixture:
    """Fluids in fixed proportions (weights sum to 1), with per-drug mcg per volume unit cached."""

    parts: tuple[tuple[Fluid, Fraction], ...]
    per_unit: tuple[tuple[str, Fraction], ...] = field(compare=False, hash=False, default=())
    per_unit_int: tuple[tuple[str, int], ...] | None = field(
        compare=False, hash=False, default=None
    )

    @classmethod
    def pure(cls, fluid: Fluid) -> Mixture:
        """A new mixture object holding ``fluid`` alone (new: the path merges segments only when
        they hold the same object, so every fill starts its own slug)."""
        template = _pure(fluid)
        return cls(template.parts, template.per_unit, template.per_unit_int)

    @classmethod
    def blend(cls, weights: dict[Fluid, Fraction]) -> Mixture:
        total = sum(weights.values(), Fraction(0))
        parts = tuple(
            sorted(((f, w / total) for f, w in weights.items() if w), key=lambda p: p[0].key)
        )
        drugs: dict[str, Fraction] = {}
        for fluid, weight in parts:
            for drug, conc in fluid.mcg_per_ml:
                drugs[drug] = drugs.get(drug, Fraction(0)) + weight * conc / UNITS_PER_ML
        per_unit = tuple(sorted(drugs.items()))
        scaled = [(drug, value * MASS_DENOMINATOR) for drug, value in per_unit]
        exact = all(value.denominator == 1 for _, value in scaled)
        per_unit_int = tuple((d, int(v)) for d, v in scaled) if exact else None
        return cls(parts=parts, per_unit=per_unit, per_unit_int=per_unit_int)

    def mixed_with(self, own: int, other: Mixture, other_units: int) -> Mixture:
        """This mixture (``own`` units) stirred together with ``other_units`` of ``other``."""
        weights: dict[Fluid, Fraction] = {}
        for mixture, units in ((self, own), (other, other_units)):
            for fluid, weight in mixture.parts:
                weights[fluid] = weights.get(fluid, Fraction(0)) + weight * units
        return Mixture.blend(weights)

    def describe(self) -> str:
        if len(self.parts) == 1:
            return self.parts[0][0].key
        return " | ".join(f"{float(w) * 100:.1f}% {f.key}" for f, w in self.parts)


class Outflow:
    """Where fluid ended up (tip, tissue via a leak, pocket): volume and exact mass per drug."""

    __slots__ = ("exact", "scaled", "units")

    def __init__(self) -> None:
        self.units = 0
        self.scaled: dict[str, int] = {}  # 1/MASS_DENOMINATOR mcg
        self.exact: dict[str, Fraction] = {}  # mcg, for mixtures the integer scale cannot hold

    def receive(self, units: int, mixture: Mixture) -> None:
        if units <= 0:
            return
        self.units += units
        if mixture.per_unit_int is not None:
            scaled = self.scaled
            for drug, per_unit in mixture.per_unit_int:
                scaled[drug] = scaled.get(drug, 0) + per_unit * units
            return
        exact = self.exact
        for drug, per_unit_f in mixture.per_unit:
            exact[drug] = exact.get(drug, Fraction(0)) + per_unit_f * units

    @property
    def mcg(self) -> dict[str, Fraction]:
        """Exact mass per drug, in mcg."""
        total = {drug: Fraction(value, MASS_DENOMINATOR) for drug, value in self.scaled.items()}
        for drug, value in self.exact.items():
            total[drug] = total.get(drug, Fraction(0)) + value
        return total


class Reservoir:
    """The drug reservoir: a volume (units) and one well-mixed composition.

    Like SimPy's ``Container``, the level is read-only from outside and never leaves
    [0, capacity].
    """

    __slots__ = ("_units", "capacity", "mixture")

    def __init__(self, capacity: int, mixture: Mixture) -> None:
        self.capacity = capacity
        self.mixture = mixture
        self._units = 0

    @property
    def units(self) -> int:
        return self._units

    def draw(self, units: int) -> int:
        """Take up to ``units`` out; returns what was actually there."""
        held = self._units
        if units >= held:
            self._units = 0
            return held
        self._units = held - units
        return units

    def fill(self, units: int, mixture: Mixture) -> int:
        """Add fluid; returns the overflow that did not fit (it goes wherever the caller says)."""
        room = self.capacity - self._units
        accepted = min(units, room)
        if accepted > 0:
            self.mixture = (
                mixture
                if self._units == 0
                else self.mixture.mixed_with(self._units, mixture, accepted)
            )
            self._units += accepted
        return units - accepted

    def empty(self) -> int:
        units, self._units = self._units, 0
        return units

    def restore(self, units: int, mixture: Mixture) -> None:
        """Set the level and contents from a saved state (:mod:`thecal.adapters.twin.state`)."""
        if not 0 <= units <= self.capacity:
            msg = f"a reservoir of {self.capacity} units cannot hold {units}"
            raise ValueError(msg)
        self._units, self.mixture = units, mixture


class _Segment:
    __slots__ = ("mixture", "units")

    def __init__(self, units: int, mixture: Mixture) -> None:
        self.units, self.mixture = units, mixture


class FluidPath:
    """Pump internal path plus catheter as a FIFO of plug-flow segments (tip end first)."""

    __slots__ = ("segments", "volume")

    def __init__(self, volume: int, mixture: Mixture) -> None:
        self.volume = volume
        self.segments: deque[_Segment] = deque()
        if volume > 0:
            self.segments.append(_Segment(volume, mixture))

    def holds_only(self, mixture: Mixture) -> bool:
        """True if the path is non-empty and full of ``mixture`` alone (so pushing ``mixture``
        in pushes the same amount of ``mixture`` out at the tip and changes nothing inside)."""
        segments = self.segments
        return len(segments) == 1 and segments[0].mixture is mixture

    def push(self, units: int, mixture: Mixture) -> list[tuple[int, Mixture]]:
        """Push ``units`` in at the pump end; return what left at the tip, oldest first."""
        if units <= 0:
            return []
        if self.volume == 0:
            return [(units, mixture)]
        segments = self.segments
        if len(segments) == 1 and segments[0].mixture is mixture:
            return [(units, mixture)]  # the same fluid in as already fills the path
        if segments and segments[-1].mixture is mixture:
            segments[-1].units += units
        else:
            segments.append(_Segment(units, mixture))
        out: list[tuple[int, Mixture]] = []
        excess = units
        while excess > 0:
            front = segments[0]
            if front.units <= excess:
                segments.popleft()
                out.append((front.units, front.mixture))
                excess -= front.units
            else:
                front.units -= excess
                out.append((excess, front.mixture))
                excess = 0
        return out

    def restore(self, contents: list[tuple[int, Mixture]]) -> None:
        """Set the segments (tip end first) from a saved state; the volume must not change."""
        if sum(units for units, _ in contents) != self.volume or any(u <= 0 for u, _ in contents):
            msg = f"saved path segments do not fill the {self.volume}-unit path"
            raise ValueError(msg)
        self.segments = deque(_Segment(units, mixture) for units, mixture in contents)

    def contents(self) -> list[tuple[int, Mixture]]:
        """Segments as (units, mixture), tip end first."""
        return [(s.units, s.mixture) for s in self.segments]

    def drug_mcg(self) -> dict[str, Fraction]:
        total = Outflow()
        for units, mixture in self.contents():
            total.receive(units, mixture)
        return total.mcg
