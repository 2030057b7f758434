"""Delivery mechanisms: how programmed volume becomes displacement.

* **Peristaltic** (SynchroMed II, clinical.md §4.1): the roller moves fluid continuously; what the
  pump counts is exactly what it was programmed to move. The physical volume differs by the
  accuracy bias (published: about +1 % cumulative at 6 months, +2.5 % per refill interval, S46),
  applied by :class:`~thecal.simulation.mechanics.Mechanics` as true ÷ counted.
* **Valve-gated** (Prometra, clinical.md §4.2): a pressurised reservoir and two valves around a
  fixed accumulator deliver one stroke whenever the programmed volume reaches the next multiple of
  the stroke volume. Stroke ``k`` happens at the first instant the programmed cumulative volume
  reaches ``k × stroke`` — an instant the schedule gives analytically — so over any window the
  delivered volume never exceeds the programmed volume by more than one stroke.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Actuator"]


@dataclass(frozen=True, slots=True)
class Actuator:
    """``stroke`` is ``None`` for continuous (peristaltic) delivery, else the stroke in units."""

    stroke: int | None

    def displacement(self, motor: int, moved: int) -> int:
        """Counted displacement when the programmed cumulative goes from ``motor`` by ``moved``."""
        stroke = self.stroke
        if stroke is None:
            return moved
        return stroke * ((motor + moved) // stroke - motor // stroke)

    def strokes(self, motor: int) -> int:
        """Strokes delivered since the pump started, for a programmed cumulative ``motor``."""
        return 0 if self.stroke is None else motor // self.stroke
