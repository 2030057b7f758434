"""Admixtures: one or more drugs in one reservoir, with a primary drug that sets the flow.

The pump runs at the flow that gives the primary drug its prescribed daily dose; every other
component's dose follows from its concentration at that flow (clinical.md §1.2, PACC admixtures).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.units import Concentration, DoseRate, FlowRate, Mass, Volume

__all__ = ["Admixture", "Component"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One drug of an admixture at its concentration."""

    drug_id: str
    concentration: Concentration

    def __post_init__(self) -> None:
        if self.concentration.value <= 0:
            raise ValueOutOfRange(
                name=f"{self.drug_id} concentration", expected="> 0", value=self.concentration
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Admixture:
    """The reservoir contents: components in order, the first being the primary drug."""

    components: tuple[Component, ...]

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueOutOfRange(name="admixture", expected="at least one drug", value="none")
        ids = [c.drug_id for c in self.components]
        if len(set(ids)) != len(ids):
            raise ValueOutOfRange(name="admixture", expected="each drug once", value=", ".join(ids))

    @classmethod
    def single(cls, drug_id: str, concentration: Concentration) -> Admixture:
        return cls(components=(Component(drug_id=drug_id, concentration=concentration),))

    @property
    def primary(self) -> Component:
        return self.components[0]

    @property
    def drug_ids(self) -> tuple[str, ...]:
        return tuple(c.drug_id for c in self.components)

    def concentration_of(self, drug_id: str) -> Concentration | None:
        return next((c.concentration for c in self.components if c.drug_id == drug_id), None)

    def flow_for(self, primary_daily_dose: DoseRate) -> FlowRate:
        """Flow that delivers ``primary_daily_dose`` of the primary drug (dose ÷ concentration)."""
        return primary_daily_dose / self.primary.concentration

    def doses_at(self, flow: FlowRate) -> dict[str, DoseRate]:
        """Daily dose of every component at ``flow`` (flow × concentration)."""
        return {c.drug_id: flow * c.concentration for c in self.components}

    def amounts_in(self, volume: Volume) -> dict[str, Mass]:
        """Drug mass of every component in ``volume`` (concentration × volume)."""
        return {c.drug_id: volume * c.concentration for c in self.components}

    def describe(self) -> str:
        """Each drug and its exact concentration in the drug's display unit."""
        return " + ".join(
            f"{c.drug_id} {in_drug_unit(c.concentration, c.drug_id)}" for c in self.components
        )
