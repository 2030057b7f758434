"""The pump's mechanics: what the motor or valve moves, what the pump counts, where fluid goes.

Two truths are kept side by side (architecture.md §4):

* **belief** — the pump's own count: the reservoir volume it thinks it holds and the volume it
  thinks it has delivered. It is all interrogation can report.
* **truth** — the physical state: the real reservoir, the fluid path, and what reached the
  catheter tip, leaked into tissue, went into the pocket or was withdrawn.

Between two events the programmed flow is a known function of time (:mod:`.schedule`), so
:meth:`Mechanics.step_to` advances everything in closed form. If, on the way, a threshold is
crossed (the pump's count reaches the low-reservoir level or zero, the real reservoir runs dry,
the battery reaches ERI) it stops at the exact microsecond of the crossing — found by bisection
on the closed form — so the caller can raise the alarm there and change the state.
"""

from __future__ import annotations

from fractions import Fraction

from thecal.simulation.battery import Battery
from thecal.simulation.delivery import Actuator
from thecal.simulation.fluid import CSF, FluidPath, Mixture, Outflow, Reservoir
from thecal.simulation.scale import Carry
from thecal.simulation.schedule import FlowSchedule

__all__ = ["Mechanics"]


class Mechanics:
    """Exact volume bookkeeping of one pump (integers in volume units, time in µs)."""

    def __init__(
        self,
        *,
        actuator: Actuator,
        capacity: int,
        path_volume: int,
        path_mixture: Mixture,
        battery: Battery,
        low_threshold: int,
    ) -> None:
        self.actuator = actuator
        self.schedule = FlowSchedule()
        self.now_us = 0
        self.motor = 0  # programmed volume moved while running, cumulative
        self.believed = 0  # the pump's reservoir count
        self.counted = 0  # the pump's delivered count, cumulative
        self.truth = Carry(1, 1)  # true / counted displacement (bias × delivery error)
        self.occluded = False
        self.leak: Carry | None = None  # fraction of tip outflow that goes to tissue
        self.reservoir = Reservoir(capacity, Mixture.pure(CSF))
        self.path = FluidPath(path_volume, path_mixture)
        self.initial_path = path_volume
        self.tip = Outflow()
        self.tissue = Outflow()
        self.pocket = Outflow()
        self.withdrawn = 0
        self.injected = 0
        self.halts: set[str] = set()
        self.battery = battery
        self.low_threshold = low_threshold

    # ------------------------------------------------------------------ closed form

    def _movement(self, t1: int) -> tuple[int, int]:
        """(programmed volume, counted displacement) from now to ``t1`` if nothing changes."""
        if self.halts:
            return 0, 0
        moved = self.schedule.volume_between(self.now_us, t1)
        return moved, self.actuator.displacement(self.motor, moved)

    def _true_out(self, displaced: int) -> int:
        if self.occluded:
            return 0
        truth = self.truth
        return (truth.rem + displaced * truth.num) // truth.den

    def _crosses(self, t1: int) -> bool:
        """Would advancing to ``t1`` cross a threshold the state must react to?"""
        moved, displaced = self._movement(t1)
        return self._crossed(t1, moved, displaced)

    def _crossed(self, t1: int, moved: int, displaced: int) -> bool:
        believed = self.believed
        if 0 < believed <= displaced:
            return True
        if believed > self.low_threshold >= believed - displaced:
            return True
        held = self.reservoir.units
        if held > 0 and self._true_out(displaced) >= held:
            return True
        battery = self.battery
        return (
            battery.eri_at_us is None
            and battery.spent + battery.cost(t1 - self.now_us, moved) >= battery.eri_budget
        )

    def step_to(self, t1: int) -> bool:
        """Advance towards ``t1``; stop early at a crossing. Returns True if it stopped early."""
        if t1 <= self.now_us:
            return False
        moved, displaced = self._movement(t1)
        crossed = self._crossed(t1, moved, displaced)
        if crossed:
            low, high = self.now_us + 1, t1  # smallest t in [low, high] with a crossing
            while low < high:
                mid = (low + high) // 2
                if self._crosses(mid):
                    high = mid
                else:
                    low = mid + 1
            t1 = low
            moved, displaced = self._movement(t1)
        self._apply(t1 - self.now_us, moved, displaced)
        self.now_us = t1
        self.schedule.prune(t1)
        return crossed

    def _apply(self, elapsed: int, moved: int, displaced: int) -> None:
        self.motor += moved
        counted = min(displaced, self.believed)
        self.believed -= counted
        self.counted += counted
        self.battery.spend(elapsed, moved)
        if displaced == 0 or self.occluded:
            return
        out = self.truth.take(displaced)
        drawn = self.reservoir.draw(out)
        self.flush(drawn, self.reservoir.mixture)

    def flush(self, units: int, mixture: Mixture) -> None:
        """Push ``units`` of ``mixture`` into the path; route what leaves to the tip or tissue."""
        for size, leaving in self.path.push(units, mixture):
            to_tissue = self.leak.take(size) if self.leak is not None else 0
            if to_tissue:
                self.tissue.receive(to_tissue, leaving)
            self.tip.receive(size - to_tissue, leaving)

    # ------------------------------------------------------------------ truth controls

    def set_truth_ratio(self, ratio: Fraction) -> None:
        """Set true ÷ counted displacement (keeps the carried remainder's meaning)."""
        self.truth = Carry(ratio.numerator, ratio.denominator)

    def set_leak(self, fraction: Fraction | None) -> None:
        self.leak = None if not fraction else Carry(fraction.numerator, fraction.denominator)

    def conservation(self) -> tuple[int, int]:
        """(what came in, where it is now) in volume units; always equal."""
        came_in = self.injected + self.initial_path
        now = (
            self.reservoir.units
            + self.path.volume
            + self.tip.units
            + self.tissue.units
            + self.pocket.units
            + self.withdrawn
        )
        return came_in, now
