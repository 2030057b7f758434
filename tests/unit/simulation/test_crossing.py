"""Exact inverses of the programmed flow: each must give the microsecond bisection gives.

The twin used to locate threshold crossings by a ~45-step bisection on the closed form; it now
inverts the closed form directly (:meth:`FlowSchedule.time_reaching`) or searches with a
bracketed interpolation (:func:`first_reaching`). Bisection is the oracle here; it is valid because
the programmed volume is a non-decreasing function of time, which the microsecond-by-microsecond
sums below check (with the inverse itself) from first principles on small schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from thecal.simulation.crossing import first_reaching
from thecal.simulation.schedule import Bolus, FlowSchedule, PeriodicRate

US_PER_HOUR = 3_600_000_000


def _bisect(value: Callable[[int], int], low: int, high: int, target: int) -> int:
    """Smallest t in (low, high] with value(t) >= target, by plain bisection."""
    low += 1
    while low < high:
        mid = (low + high) // 2
        if value(mid) >= target:
            high = mid
        else:
            low = mid + 1
    return low


@st.composite
def periodic_rates(draw: st.DrawFn) -> PeriodicRate:
    cycle = draw(st.sampled_from([24 * US_PER_HOUR, 7 * 24 * US_PER_HOUR, 8 * US_PER_HOUR]))
    cuts = draw(st.lists(st.integers(1, cycle - 1), max_size=5, unique=True))
    starts = [0, *sorted(cuts)]
    rates = draw(
        st.lists(st.integers(0, 2_000_000), min_size=len(starts), max_size=len(starts)).filter(any)
    )
    phase = draw(st.integers(-cycle, cycle))
    return PeriodicRate.build(
        cycle_us=cycle, steps=list(zip(starts, rates, strict=True)), phase_us=phase
    )


@st.composite
def boluses(draw: st.DrawFn) -> Bolus:
    start = draw(st.integers(0, 30 * US_PER_HOUR))
    length = draw(st.integers(1, 10 * US_PER_HOUR))
    volume = draw(st.integers(0, 10**17))
    return Bolus(start, start + length, volume, replaces_basal=draw(st.booleans()), label="b")


@given(basal=periodic_rates(), t0=st.integers(0, 10**13), volume=st.integers(1, 10**19))
@settings(max_examples=300)
def test_basal_inverse_is_the_first_microsecond_bisection_finds(
    basal: PeriodicRate, t0: int, volume: int
) -> None:
    found = basal.time_reaching(t0, volume)
    assert found is not None
    start = basal.cumulative(t0)
    assert basal.cumulative(found) - start >= volume
    assert basal.cumulative(found - 1) - start < volume


def test_a_basal_rate_of_zero_never_reaches_any_volume() -> None:
    stopped = PeriodicRate.build(cycle_us=US_PER_HOUR, steps=[(0, 0)], phase_us=0)
    assert stopped.time_reaching(0, 1) is None


@given(
    basal=st.one_of(st.none(), periodic_rates()),
    overlaid=st.lists(boluses(), max_size=4),
    t0=st.integers(0, 20 * US_PER_HOUR),
    span=st.integers(1, 40 * US_PER_HOUR),
    share=st.fractions(min_value=0, max_value=1),
)
@settings(max_examples=400)
@example(  # found by Hypothesis: a replacing bolus inside another took the basal away twice
    basal=PeriodicRate.build(
        cycle_us=24 * US_PER_HOUR, steps=[(0, 0), (1, 0), (2, 1), (239, 0), (455, 0)], phase_us=0
    ),
    overlaid=[
        Bolus(0, 251, 2, replaces_basal=True, label="b"),
        Bolus(238, 239, 0, replaces_basal=True, label="b"),
    ],
    t0=38,
    span=847,
    share=Fraction(0),
)
def test_schedule_inverse_matches_bisection_with_overlapping_boluses(
    basal: PeriodicRate | None,
    overlaid: list[Bolus],
    t0: int,
    span: int,
    share: object,
) -> None:
    schedule = FlowSchedule(basal)
    for bolus in overlaid:
        schedule.add(bolus)
    t1 = t0 + span
    total = schedule.volume_between(t0, t1)
    volume = max(1, int(total * share))  # type: ignore[operator]
    if total < volume:
        return
    expected = _bisect(lambda t: schedule.volume_between(t0, t), t0, t1, volume)
    assert schedule.time_reaching(t0, volume, t1) == expected


def test_overlapping_replacing_boluses_suspend_the_basal_once() -> None:
    # 1 unit/µs of basal; a priming-style bolus of 50 units over [100, 200) and a second
    # replacing bolus of 10 units over [150, 250). The basal is off over [100, 250) once.
    basal = PeriodicRate.build(cycle_us=US_PER_HOUR, steps=[(0, 1)], phase_us=0)
    schedule = FlowSchedule(basal)
    schedule.add(Bolus(100, 200, 50, replaces_basal=True, label="priming bolus"))
    schedule.add(Bolus(150, 250, 10, replaces_basal=True, label="bridge bolus"))
    assert schedule.volume_between(0, 300) == 100 + 50 + 10 + 50
    assert schedule.volume_between(150, 200) == 25 + 5  # both running, no basal
    assert schedule.volume_between(120, 220) == 40 + 7  # was 47 - 50 = -3 (basal taken twice)
    assert schedule.volume_between(120, 191) == 35 + 4
    assert schedule.time_reaching(120, 40, 300) == 192  # 36 + 4 units of the two boluses


def test_the_programmed_volume_never_falls_when_replacing_boluses_overlap() -> None:
    basal = PeriodicRate.build(
        cycle_us=24 * US_PER_HOUR, steps=[(0, 0), (2, 1), (239, 0)], phase_us=0
    )
    schedule = FlowSchedule(basal)
    schedule.add(Bolus(0, 251, 2, replaces_basal=True, label="b"))
    schedule.add(Bolus(238, 239, 0, replaces_basal=True, label="b"))
    volumes = [schedule.volume_between(38, t) for t in range(38, 300)]
    assert volumes == sorted(volumes)
    assert schedule.time_reaching(38, 1, 885) == 126


def _microsecond_sum(schedule: FlowSchedule, t0: int, t1: int) -> int:
    """The programmed volume from first principles: the basal rate in each microsecond unless a
    replacing bolus runs in it, plus what each bolus has delivered."""
    total = 0
    basal = schedule.basal
    for u in range(t0, t1):
        suspended = any(b.replaces_basal and b.start_us <= u < b.end_us for b in schedule.boluses)
        if basal is not None and not suspended:
            total += basal.rate_at(u)
    return total + sum(b.cumulative(t1) - b.cumulative(t0) for b in schedule.boluses)


@st.composite
def small_rates(draw: st.DrawFn) -> PeriodicRate:
    cycle = draw(st.integers(1, 400))
    cuts = draw(st.lists(st.integers(1, max(1, cycle - 1)), max_size=4, unique=True))
    starts = [0, *sorted(c for c in cuts if c < cycle)]
    rates = draw(st.lists(st.integers(0, 5), min_size=len(starts), max_size=len(starts)))
    phase = draw(st.integers(-cycle, cycle))
    return PeriodicRate.build(
        cycle_us=cycle, steps=list(zip(starts, rates, strict=True)), phase_us=phase
    )


@st.composite
def small_boluses(draw: st.DrawFn) -> Bolus:
    start = draw(st.integers(0, 300))
    length = draw(st.integers(1, 150))
    volume = draw(st.integers(0, 500))
    return Bolus(start, start + length, volume, replaces_basal=draw(st.booleans()), label="b")


@given(
    basal=st.one_of(st.none(), small_rates()),
    overlaid=st.lists(small_boluses(), max_size=4),
    t0=st.integers(0, 200),
    span=st.integers(1, 300),
    share=st.fractions(min_value=0, max_value=1),
)
@settings(max_examples=200)
@example(
    basal=PeriodicRate.build(cycle_us=400, steps=[(0, 1)], phase_us=0),
    overlaid=[
        Bolus(100, 200, 50, replaces_basal=True, label="b"),
        Bolus(150, 250, 10, replaces_basal=True, label="b"),
    ],
    t0=120,
    span=100,
    share=Fraction(1, 2),
)
def test_schedule_volume_and_inverse_match_the_microsecond_sum(
    basal: PeriodicRate | None,
    overlaid: list[Bolus],
    t0: int,
    span: int,
    share: Fraction,
) -> None:
    schedule = FlowSchedule(basal)
    for bolus in overlaid:
        schedule.add(bolus)
    t1 = t0 + span
    assert schedule.volume_between(t0, t1) == _microsecond_sum(schedule, t0, t1)
    total = schedule.volume_between(t0, t1)
    if total == 0:
        return
    volume = max(1, int(total * share))
    first = next(t for t in range(t0 + 1, t1 + 1) if _microsecond_sum(schedule, t0, t) >= volume)
    assert schedule.time_reaching(t0, volume, t1) == first


@given(
    steps=st.lists(st.integers(0, 50), min_size=1, max_size=200),
    target_share=st.fractions(min_value=0, max_value=1),
)
def test_interpolation_search_matches_bisection_on_any_monotone_function(
    steps: list[int], target_share: object
) -> None:
    cumulative = [0]
    for step in steps:
        cumulative.append(cumulative[-1] + step)
    top = cumulative[-1]
    if top == 0:
        return
    target = max(1, int(top * target_share))  # type: ignore[operator]
    found = first_reaching(cumulative.__getitem__, low=0, high=len(steps), target=target, at_low=0)
    assert found == _bisect(cumulative.__getitem__, 0, len(steps), target)


def test_interpolation_search_refuses_a_target_that_is_never_reached() -> None:
    with pytest.raises(ValueError, match="not reached"):
        first_reaching(lambda t: t, low=0, high=10, target=11, at_low=0)


def test_interpolation_search_needs_few_evaluations_on_a_straight_line() -> None:
    calls: list[int] = []

    def line(t: int) -> int:
        calls.append(t)
        return 3 * t // 7

    assert first_reaching(line, low=0, high=10**12, target=123_456_789, at_low=0) == 288_065_841
    assert len(calls) <= 4  # bisection needs 40


def test_interpolation_search_stays_within_a_few_times_bisection_on_a_step() -> None:
    for edge in (1, 7, 10**6, 123_456_789_012, 10**12):
        calls: list[int] = []

        def step(t: int, edge: int = edge, calls: list[int] = calls) -> int:
            calls.append(t)
            return 0 if t < edge else 10**9

        assert first_reaching(step, low=0, high=10**12, target=1, at_low=0) == edge
        assert len(calls) <= 3 * 40
