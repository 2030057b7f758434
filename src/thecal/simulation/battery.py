"""Battery: elective replacement indicator (ERI) from elapsed time and pumping, then end of service.

The battery is modelled as an energy budget spent at a constant rate by the electronics and in
proportion to the volume the motor (or valve) moves [A]. The budget is sized so that a pump that
never pumps reaches end of service at the model's service life (SynchroMed II: "typically 5–7
years depending on flow; maximum 7 years", S50, S94). ERI is raised when the budget left would
last the model's ERI-to-stop delay with no pumping; the pump stops exactly that delay after ERI
(SynchroMed II: 90 days, S50), whatever it pumps in between.

With the default pumping cost of 0.4 days of battery per mL for a peristaltic pump [A], a
SynchroMed II running 1 mL/day lasts about 5 years and one running 0.2 mL/day about 6.5 years,
matching the 5–7 years of S50. A valve-gated pump's battery powers only the electronics and the
valves (clinical.md §4.2), so its pumping cost defaults to a tenth of that [A].
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from thecal.domain.devices import DeliveryMechanism, PumpModel
from thecal.simulation.scale import UNITS_PER_ML, US_PER_DAY, us_of

__all__ = ["DEFAULT_COST_DAYS_PER_ML", "Battery"]

#: Battery life spent per mL pumped, in days [A] (see module docstring).
DEFAULT_COST_DAYS_PER_ML = {
    DeliveryMechanism.PERISTALTIC: Decimal("0.4"),
    DeliveryMechanism.VALVE_GATED: Decimal("0.04"),
}


class Battery:
    """Battery life spent so far, in exact integers; ERI and end of service from it.

    Internally one µs of electronics costs ``scale`` and one volume unit pumped costs
    ``unit_cost`` (``unit_cost / scale`` µs of life: an exact ratio, no rounding).
    """

    __slots__ = ("eri_at_us", "eri_budget", "scale", "spent", "stop_delay_us", "unit_cost")

    def __init__(self, model: PumpModel, *, cost_days_per_ml: Decimal | None = None) -> None:
        life_us = us_of(model.service_life.value)
        delay_us = us_of(model.eri_to_stop.value) if model.eri_to_stop else 0
        cost = (
            cost_days_per_ml
            if cost_days_per_ml is not None
            else DEFAULT_COST_DAYS_PER_ML[model.mechanism]
        )
        ratio = Fraction(cost) * US_PER_DAY / UNITS_PER_ML
        self.unit_cost, self.scale = ratio.numerator, ratio.denominator
        self.eri_budget = (life_us - delay_us) * self.scale
        self.stop_delay_us = delay_us
        self.spent = 0
        self.eri_at_us: int | None = None

    def cost(self, elapsed_us: int, pumped_units: int) -> int:
        return elapsed_us * self.scale + pumped_units * self.unit_cost

    def spend(self, elapsed_us: int, pumped_units: int) -> None:
        self.spent += elapsed_us * self.scale + pumped_units * self.unit_cost

    def drain(self, idle_us: int) -> None:
        """Early depletion: lose ``idle_us`` of life at once (a faulty cell, a current leak)."""
        self.spent += idle_us * self.scale

    @property
    def at_eri(self) -> bool:
        return self.spent >= self.eri_budget

    @property
    def remaining_fraction(self) -> Fraction:
        budget = self.eri_budget + self.stop_delay_us * self.scale
        return max(Fraction(0), 1 - Fraction(self.spent, budget))
