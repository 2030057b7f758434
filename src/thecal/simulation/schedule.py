"""The programmed flow as a function of time, integrated in closed form.

A :class:`FlowSchedule` is what the pump's firmware would run: a periodic, piecewise-constant basal
rate (simple continuous, flex steps over a day or a week, periodic bolus), plus finite boluses laid
over it (patient, single, priming, bridge) and intervals in which the basal rate is suspended
(during a priming or bridge bolus). :meth:`FlowSchedule.volume_between` returns the programmed
volume between two instants exactly, in O(steps + boluses), however far apart they are: whole
cycles are multiplied out, never stepped through. :meth:`FlowSchedule.time_reaching` is its exact
inverse (the first microsecond by which a given volume has been programmed): closed form on each
straight piece, :func:`~thecal.simulation.crossing.first_reaching` where boluses overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from thecal.simulation.crossing import first_reaching

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
    prefix_ends: tuple[int, ...]  # cumulative volume at each step's end

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
        return cls(
            cycle_us,
            starts,
            rates,
            phase_us % cycle_us,
            tuple(prefix[:-1]),
            prefix[-1],
            tuple(prefix[1:]),
        )

    @property
    def steps(self) -> tuple[tuple[int, int], ...]:
        """(start µs into the cycle, rate nL/day) pairs, as given to :meth:`build`."""
        return tuple(zip(self.starts, self.rates, strict=True))

    def cumulative(self, t_us: int) -> int:
        """Volume units delivered from the start of the cycle containing time zero up to ``t_us``."""
        whole, into = divmod(t_us + self.phase_us, self.cycle_us)
        i = bisect_right(self.starts, into) - 1
        return whole * self.per_cycle + self.prefix[i] + self.rates[i] * (into - self.starts[i])

    def time_reaching(self, t0_us: int, volume: int) -> int | None:
        """Smallest ``t`` with ``cumulative(t) - cumulative(t0_us) >= volume`` (``volume > 0``).

        Closed form: whole cycles are divided out, the step is found by bisection on the
        per-step cumulative volumes, and the microsecond inside it by a ceiling division.
        None if the rate is zero throughout.
        """
        per_cycle = self.per_cycle
        if per_cycle == 0:
            return None
        goal = self.cumulative(t0_us) + volume
        whole = (goal - 1) // per_cycle
        rest = goal - whole * per_cycle  # 1 ≤ rest ≤ per_cycle
        i = bisect_left(self.prefix_ends, rest)
        into = self.starts[i] + -(-(rest - self.prefix[i]) // self.rates[i])
        return whole * self.cycle_us + into - self.phase_us

    def rate_at(self, t_us: int) -> int:
        into = (t_us + self.phase_us) % self.cycle_us
        return self.rates[bisect_right(self.starts, into) - 1]


class Bolus(NamedTuple):
    """``volume`` units spread evenly over [start_us, end_us); basal suspended if ``replaces``.

    Overlapping replacing boluses suspend the basal rate once, not once each.

    An immutable named tuple rather than a frozen dataclass: the twin builds one for every
    granted patient bolus, and a frozen dataclass's constructor cost twice as much (a tenth of
    the whole per-press budget of the benchmark).
    """

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
    """Basal periodic rate plus boluses; integrates exactly between any two instants.

    The twin asks for consecutive windows (now → next event, then next event → the one after),
    so the basal cumulative volume at the last window's end is remembered and reused.
    """

    __slots__ = ("_memo", "basal", "boluses")

    def __init__(self, basal: PeriodicRate | None = None) -> None:
        self.basal = basal
        self.boluses: list[Bolus] = []
        self._memo = (-1, 0)  # (t µs, basal cumulative at t)

    def add(self, bolus: Bolus) -> None:
        if bolus.end_us <= bolus.start_us or bolus.volume < 0:
            msg = f"a bolus needs a positive duration and a non-negative volume: {bolus}"
            raise ValueError(msg)
        self.boluses.append(bolus)

    def _basal_between(self, t0: int, t1: int) -> int:
        basal = self.basal
        if basal is None or t1 <= t0:
            return 0
        at, value = self._memo
        start = value if at == t0 else basal.cumulative(t0)
        end = basal.cumulative(t1)
        self._memo = (t1, end)
        return end - start

    def volume_between(self, t0: int, t1: int) -> int:
        """Programmed volume units from ``t0`` to ``t1`` (µs), exactly.

        The basal rate is suspended while at least one replacing bolus runs: it is taken away
        once over the union of their spans, never once per bolus (two overlapping replacing
        boluses would otherwise take the basal away twice where they overlap, and the volume
        would fall as time goes on).
        """
        total = self._basal_between(t0, t1)
        suspended: list[tuple[int, int]] | None = None  # spans of the replacing boluses
        for bolus in self.boluses:
            start, end = bolus.start_us, bolus.end_us
            if end <= t0 or start >= t1:
                continue
            if t0 <= start and end <= t1:
                total += bolus.volume  # the whole bolus lies in the window
            else:
                total += bolus.cumulative(t1) - bolus.cumulative(t0)
            if bolus.replaces_basal:
                span = (max(t0, start), min(t1, end))
                if suspended is None:
                    suspended = [span]
                else:
                    suspended.append(span)
        if suspended is not None:
            total -= self._basal_over_union(suspended)
        return total

    def _basal_over_union(self, spans: list[tuple[int, int]]) -> int:
        """Basal volume over the union of ``spans`` (each ``(start, end)``, non-empty)."""
        if len(spans) == 1:
            return self._basal_between(*spans[0])
        spans.sort()
        total = 0
        low, high = spans[0]
        for start, end in spans[1:]:
            if start > high:
                total += self._basal_between(low, high)
                low = start
            high = max(high, end)
        return total + self._basal_between(low, high)

    def time_reaching(self, t0: int, volume: int, t1: int) -> int:
        """Smallest ``t`` in ``(t0, t1]`` with ``volume_between(t0, t) >= volume``.

        The caller knows ``volume_between(t0, t1) >= volume > 0``. Boluses cut ``(t0, t1]`` into
        pieces on which the set of running boluses is fixed; the piece holding the answer is
        found by summing whole pieces, then inverted in closed form when only the basal rate or
        a single bolus moves fluid in it, else searched (:func:`.crossing.first_reaching`).
        """
        basal = self.basal
        boluses = [b for b in self.boluses if b.end_us > t0 and b.start_us < t1]
        if not boluses and basal is not None:
            found = basal.time_reaching(t0, volume)
            if found is not None and t0 < found <= t1:
                return found
        cuts = sorted({t for b in boluses for t in (b.start_us, b.end_us) if t0 < t < t1})
        low, moved = t0, 0
        for high in (*cuts, t1):
            piece = self.volume_between(low, high)
            if moved + piece >= volume:
                return self._reach_in_piece(low, high, volume - moved, boluses)
            moved += piece
            low = high
        msg = f"{volume} units are not programmed between {t0} and {t1} µs"
        raise ValueError(msg)

    def _reach_in_piece(self, low: int, high: int, volume: int, boluses: list[Bolus]) -> int:
        """``time_reaching`` inside ``(low, high]``, where no bolus starts or ends."""
        running = [b for b in boluses if b.start_us <= low and b.end_us >= high]
        suspended = any(b.replaces_basal for b in running)
        basal = None if suspended else self.basal
        if not running and basal is not None:
            found = basal.time_reaching(low, volume)
            if found is not None and low < found <= high:
                return found
        if len(running) == 1 and basal is None:
            bolus = running[0]  # cumulative = volume × (t − start) // length: invert the floor
            goal = bolus.cumulative(low) + volume
            length = bolus.end_us - bolus.start_us
            return bolus.start_us + -(-goal * length // bolus.volume)
        return first_reaching(
            lambda t: self.volume_between(low, t), low=low, high=high, target=volume, at_low=0
        )

    def prune(self, now_us: int) -> None:
        """Forget boluses that ended at or before ``now_us``."""
        if self.boluses:
            self.boluses = [b for b in self.boluses if b.end_us > now_us]

    def active_labels(self, now_us: int) -> tuple[str, ...]:
        return tuple(b.label for b in self.boluses if b.start_us <= now_us < b.end_us)
