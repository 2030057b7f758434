"""The programmed flow as a function of time, integrated in closed form.

A :class:`FlowSchedule` is what the pump's firmware would run: a periodic, piecewise-constant basal
rate (simple continuous, flex steps over a day or a week, periodic bolus), plus finite boluses laid
over it (patient, single, priming, bridge) and intervals in which the basal rate is suspended
(during a priming or bridge bolus). :meth:`FlowSchedule.volume_between` returns the programmed
volume between two instants exactly, in O(steps + boluses), however far apart they are: whole
cycles are multiplied out, never stepped through.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bolus", "FlowSchedule", "PeriodicRate"]


@dataclass(frozen=True, slots=True)
class PeriodicRate:
    """A rate that repeats every ``cycle_us``: ``rates[i]`` nL/day from ``starts[i]`` on.

    ``phase_us`` is where in the cycle the twin's time zero falls (e.g. 08:00 for a daily cycle
    whose twin starts at 08:00 local time).
    """

    cycle_us: int
    starts: tuple[int, ...]
    rates: tuple[int, ...]
    phase_us: int
    prefix: tuple[int, ...]
    per_cycle: int

    @classmethod
    def build(
        cls, *, cycle_us: int, steps: Sequence[tuple[int, int]], phase_us: int
    ) -> PeriodicRate:
        starts = tuple(start for start, _ in steps)
        rates = tuple(rate for _, rate in steps)
        if not starts or starts[0] != 0 or list(starts) != sorted(set(starts)):
            msg = f"steps must start at 0 and increase strictly: {starts}"
            raise ValueError(msg)
        if starts[-1] >= cycle_us or any(rate < 0 for rate in rates):
            msg = "steps must lie inside the cycle with non-negative rates"
            raise ValueError(msg)
        ends = (*starts[1:], cycle_us)
        prefix = [0]
        for start, end, rate in zip(starts, ends, rates, strict=True):
            prefix.append(prefix[-1] + rate * (end - start))
        return cls(cycle_us, starts, rates, phase_us % cycle_us, tuple(prefix[:-1]), prefix[-1])

    def cumulative(self, t_us: int) -> int:
        """Volume units delivered from the start of the cycle containing time zero up to ``t_us``."""
        whole, into = divmod(t_us + self.phase_us, self.cycle_us)
        i = bisect_right(self.starts, into) - 1
        return whole * self.per_cycle + self.prefix[i] + self.rates[i] * (into - self.starts[i])

    def rate_at(self, t_us: int) -> int:
        into = (t_us + self.phase_us) % self.cycle_us
        return self.rates[bisect_right(self.starts, into) - 1]


@dataclass(frozen=True, slots=True)
class Bolus:
    """``volume`` units spread evenly over [start_us, end_us); basal suspended if ``replaces``."""

    start_us: int
    end_us: int
    volume: int
    replaces_basal: bool
    label: str

    def cumulative(self, t_us: int) -> int:
        if t_us <= self.start_us:
            return 0
        if t_us >= self.end_us:
            return self.volume
        return self.volume * (t_us - self.start_us) // (self.end_us - self.start_us)


class FlowSchedule:
    """Basal periodic rate plus boluses; integrates exactly between any two instants."""

    __slots__ = ("basal", "boluses")

    def __init__(self, basal: PeriodicRate | None = None) -> None:
        self.basal = basal
        self.boluses: list[Bolus] = []

    def add(self, bolus: Bolus) -> None:
        if bolus.end_us <= bolus.start_us or bolus.volume < 0:
            msg = f"a bolus needs a positive duration and a non-negative volume: {bolus}"
            raise ValueError(msg)
        self.boluses.append(bolus)

    def _basal_between(self, t0: int, t1: int) -> int:
        if self.basal is None or t1 <= t0:
            return 0
        return self.basal.cumulative(t1) - self.basal.cumulative(t0)

    def volume_between(self, t0: int, t1: int) -> int:
        """Programmed volume units from ``t0`` to ``t1`` (µs), exactly."""
        total = self._basal_between(t0, t1)
        for bolus in self.boluses:
            if bolus.end_us <= t0 or bolus.start_us >= t1:
                continue
            total += bolus.cumulative(t1) - bolus.cumulative(t0)
            if bolus.replaces_basal:
                total -= self._basal_between(max(t0, bolus.start_us), min(t1, bolus.end_us))
        return total

    def prune(self, now_us: int) -> None:
        """Forget boluses that ended at or before ``now_us``."""
        if self.boluses:
            self.boluses = [b for b in self.boluses if b.end_us > now_us]

    def active_labels(self, now_us: int) -> tuple[str, ...]:
        return tuple(b.label for b in self.boluses if b.start_us <= now_us < b.end_us)
