"""The pump's mechanics: what the motor or valve moves, what the pump counts, where fluid goes.

Two truths are kept side by side (architecture.md §4):

* **belief** — the pump's own count: the reservoir volume it thinks it holds and the volume it
  thinks it has delivered. It is all interrogation can report.
* **truth** — the physical state: the real reservoir, the fluid path, and what reached the
  catheter tip, leaked into tissue, went into the pocket or was withdrawn.

Between two events the programmed flow is a known function of time (:mod:`.schedule`), so
:meth:`Mechanics.step_to` advances everything in closed form. If, on the way, a threshold is
crossed (the pump's count reaches the low-reservoir level or zero, the real reservoir runs dry,
the battery reaches ERI) it stops at the exact microsecond of the crossing — found by inverting
the closed form (:meth:`FlowSchedule.time_reaching`) — so the caller can raise the alarm there
and change the state.
"""

from __future__ import annotations

from fractions import Fraction

from thecal.simulation.battery import Battery
from thecal.simulation.crossing import first_reaching
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
        self._path = FluidPath(path_volume, path_mixture)
        self.initial_path = path_volume
        self._tip = Outflow()
        self._tissue = Outflow()
        # Fluid pushed through a path that already holds only that fluid comes straight out at
        # the tip; while that lasts (and nothing leaks) it is summed here and handed to the tip
        # when anyone looks (:meth:`_settle`), instead of once per event.
        self._passing = 0
        self._passing_mixture = path_mixture
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

    def _crossed(self, t1: int, moved: int, displaced: int) -> bool:
        """Would advancing to ``t1`` (moving ``moved``, displacing ``displaced``) cross a threshold?"""
        believed = self.believed
        if 0 < believed <= displaced:
            return True
        if believed > self.low_threshold >= believed - displaced:
            return True
        held = self.reservoir.units
        if held > 0 and not self.occluded:
            truth = self.truth
            if (truth.rem + displaced * truth.num) // truth.den >= held:
                return True
        battery = self.battery
        return (
            battery.eri_at_us is None
            and battery.spent + (t1 - self.now_us) * battery.scale + moved * battery.unit_cost
            >= battery.eri_budget
        )

    def _displacement_goal(self, displaced: int) -> int | None:
        """The smallest displacement that crosses a count or reservoir threshold, if ``displaced``
        (the displacement by the end of the step) crosses one; else None."""
        believed, low = self.believed, self.low_threshold
        goals = []
        if 0 < believed <= displaced:
            goals.append(believed)
        if believed > low >= believed - displaced:
            goals.append(believed - low)
        held = self.reservoir.units
        if held > 0 and self._true_out(displaced) >= held:
            goals.append(self.truth.needed_for(held))
        return min(goals) if goals else None

    def _first_crossing(self, t1: int, moved: int, displaced: int) -> int:
        """The first microsecond in ``(now, t1]`` at which a threshold is crossed.

        Every threshold is monotone in time, so the first crossing is the earliest of those
        crossed by ``t1``, each inverted exactly: a displacement goal becomes a programmed-volume
        goal (whole strokes for a valve-gated pump), then a time by the schedule's closed-form
        inverse; the battery has its own (:meth:`_battery_crossing`).
        """
        now = self.now_us
        first = t1
        goal = None if self.halts else self._displacement_goal(displaced)
        if goal is not None:
            stroke, motor = self.actuator.stroke, self.motor
            if stroke is None:
                volume = goal
            else:  # the motor position at which the stroke that completes ``goal`` fires
                volume = (motor // stroke - (-goal // stroke)) * stroke - motor
            first = self.schedule.time_reaching(now, volume, t1)
        battery_at = self._battery_crossing(t1, moved)
        if battery_at is not None:
            first = min(first, battery_at)
        return max(first, now + 1)

    def _battery_crossing(self, t1: int, moved: int) -> int | None:
        """When in ``(now, t1]`` the battery reaches ERI, or None if it does not.

        Halted, only the electronics draw and the answer is a division; pumping, the budget
        spent is searched (:func:`.crossing.first_reaching`) — once in a pump's life.
        """
        battery, now = self.battery, self.now_us
        if battery.eri_at_us is not None:
            return None
        need = battery.eri_budget - battery.spent
        if battery.cost(t1 - now, moved) < need:
            return None
        if need <= 0:
            return now
        if self.halts:
            return now + -(-need // battery.scale)
        schedule = self.schedule
        return first_reaching(
            lambda t: battery.cost(t - now, schedule.volume_between(now, t)),
            low=now,
            high=t1,
            target=need,
            at_low=0,
        )

    def step_to(self, t1: int) -> bool:
        """Advance towards ``t1``; stop early at a crossing. Returns True if it stopped early.

        This is the twin's hot path (once per event), written out in one piece.
        """
        now = self.now_us
        if t1 <= now:
            return False
        if self.halts:
            moved = displaced = 0
        else:
            moved = self.schedule.volume_between(now, t1)
            stroke = self.actuator.stroke
            displaced = (
                moved
                if stroke is None
                else stroke * ((self.motor + moved) // stroke - self.motor // stroke)
            )
        crossed = self._crossed(t1, moved, displaced)
        if crossed:
            t1 = self._first_crossing(t1, moved, displaced)
            moved, displaced = self._movement(t1)
        # Apply the step: the motor moved, the pump counted (never below zero), the battery
        # paid, and the true displacement left the reservoir into the path.
        self.motor += moved
        believed = self.believed
        counted = min(displaced, believed)
        self.believed = believed - counted
        self.counted += counted
        self.battery.spend(t1 - now, moved)
        if displaced and not self.occluded:
            reservoir = self.reservoir
            drawn = reservoir.draw(self.truth.take(displaced))
            if drawn:
                self.flush(drawn, reservoir.mixture)
        self.now_us = t1
        if self.schedule.boluses:
            self.schedule.prune(t1)
        return crossed

    def flush(self, units: int, mixture: Mixture) -> None:
        """Push ``units`` of ``mixture`` into the path; route what leaves to the tip or tissue."""
        if self.leak is None and self._path.holds_only(mixture):
            if self._passing_mixture is not mixture:
                self._settle()
                self._passing_mixture = mixture
            self._passing += units  # leaves at the tip unchanged: the tip gets it in _settle
            return
        self._settle()
        leak = self.leak
        for size, leaving in self._path.push(units, mixture):
            to_tissue = leak.take(size) if leak is not None else 0
            if to_tissue:
                self._tissue.receive(to_tissue, leaving)
            self._tip.receive(size - to_tissue, leaving)

    def _settle(self) -> None:
        """Hand the fluid that passed straight through to the tip."""
        if self._passing:
            self._tip.receive(self._passing, self._passing_mixture)
            self._passing = 0

    @property
    def tip(self) -> Outflow:
        """What left the catheter tip into the CSF (volume, mass per drug)."""
        self._settle()
        return self._tip

    @property
    def tissue(self) -> Outflow:
        """What leaked into tissue."""
        self._settle()
        return self._tissue

    @property
    def path(self) -> FluidPath:
        """The pump's internal path and the catheter."""
        self._settle()
        return self._path

    # ------------------------------------------------------------------ truth controls

    def set_truth_ratio(self, ratio: Fraction) -> None:
        """Set true ÷ counted displacement (keeps the carried remainder's meaning)."""
        self.truth = Carry(ratio.numerator, ratio.denominator)

    def set_leak(self, fraction: Fraction | None) -> None:
        self._settle()
        self.leak = None if not fraction else Carry(fraction.numerator, fraction.denominator)

    def replace_path(self, path: FluidPath) -> None:
        """A catheter revision: ``path`` replaces the fluid path. What the old catheter held left
        the body with it and the new catheter came in full of CSF, so what came in changes by the
        difference of the two paths (the conservation check stays exact)."""
        self._settle()
        self.initial_path += path.volume - self._path.volume
        self._path = path

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
