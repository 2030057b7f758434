"""A straightforward 1-minute fixed-step pump simulator: the reference the twin is measured against.

It does what time-stepped simulators such as simglucose do (aesthetics.md §4b): loop over every
minute, look up the programmed rate, move the reservoir, check alarms. It models the same things
the twin's benchmark scenario exercises — flex steps, accuracy bias, patient boluses with lockout
and daily maximum, refills, battery ERI and end of service — in binary floats,
and it is deliberately plain. Patient-bolus requests are the twin's (same seeded generator),
rounded up to the next minute.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from thecal.simulation.battery import DEFAULT_COST_DAYS_PER_ML
from thecal.simulation.demand import requests
from thecal.simulation.scenario import Refill, Scenario

__all__ = ["ReferenceResult", "simulate_fixed_step"]

MINUTE_US = 60_000_000
MINUTES_PER_DAY = 1440


@dataclass(frozen=True, slots=True)
class ReferenceResult:
    delivered_ml: float
    granted: int
    denied: int
    steps: int


def simulate_fixed_step(scenario: Scenario) -> ReferenceResult:  # noqa: C901, PLR0912, PLR0915 - deliberately one plain loop
    program = scenario.program
    conc = float(program.admixture.primary.concentration.mcg_per_ml)
    bias = 1 + float(scenario.accuracy_bias_pct or scenario.pump.bias_per_refill_pct.value) / 100  # type: ignore[union-attr]
    # programmed mL per minute for each minute of the day
    starts = [int(step.start.value) // 60 for step in program.steps] + [MINUTES_PER_DAY]
    per_minute = [0.0] * MINUTES_PER_DAY
    for i, step in enumerate(program.steps):
        for m in range(starts[i], starts[i + 1]):
            per_minute[m] = float(step.rate.mcg_per_day) / conc / MINUTES_PER_DAY
    phase = scenario.start.hour * 60 + scenario.start.minute
    settings = program.patient_bolus
    if settings is None:
        msg = "the reference models the benchmark scenario, which has patient boluses"
        raise ValueError(msg)
    bolus_ml = float(settings.dose.mcg) / conc
    bolus_minutes = int(settings.duration.value) // 60
    lockout = int(settings.lockout.value) // 60
    capacity = float(scenario.pump.reservoir.value.ml)
    horizon = int(scenario.horizon.value) // 60
    refills = {
        int(e.at.value) // 60: float(e.action.volume.ml)
        for e in scenario.events
        if isinstance(e.action, Refill)
    }
    presses: dict[int, int] = {}
    if scenario.demand is not None:
        for t in requests(
            scenario.demand,
            rng=random.Random(scenario.seed + 1),
            start=scenario.start,
            until_us=int(scenario.horizon.value) * 1_000_000,
        ):
            minute = -(-t // MINUTE_US)
            presses[minute] = presses.get(minute, 0) + 1
    life_min = int(scenario.pump.service_life.value.value) // 60
    delay_min = int(scenario.pump.eri_to_stop.value.value) // 60  # type: ignore[union-attr]
    cost_min_per_ml = float(DEFAULT_COST_DAYS_PER_ML[scenario.pump.mechanism]) * MINUTES_PER_DAY
    believed = true = float(scenario.fill.ml)
    delivered = spent = 0.0
    eri_at = -1
    stopped = False
    bolus_left = 0
    granted_times: deque[int] = deque()
    granted = denied = 0
    for minute in range(horizon):
        if minute in refills:
            true, believed = min(capacity, refills[minute]), refills[minute]
        for _ in range(presses.get(minute, 0)):
            while granted_times and granted_times[0] <= minute - MINUTES_PER_DAY:
                granted_times.popleft()
            if (
                stopped
                or believed <= 0
                or (granted_times and minute - granted_times[-1] < lockout)
                or len(granted_times) >= settings.max_per_day
            ):
                denied += 1
            else:
                granted += 1
                granted_times.append(minute)
                bolus_left = bolus_minutes
        rate = 0.0
        if not stopped and believed > 0:
            rate = per_minute[(minute + phase) % MINUTES_PER_DAY]
            if bolus_left > 0:
                rate += bolus_ml / bolus_minutes
                bolus_left -= 1
        counted = min(rate, believed)
        believed -= counted
        moved = min(counted * bias, true)
        true -= moved
        delivered += moved
        spent += 1 + rate * cost_min_per_ml
        if eri_at < 0 and spent >= life_min - delay_min:
            eri_at = minute
        if eri_at >= 0 and minute + 1 >= eri_at + delay_min:
            stopped = True
    return ReferenceResult(delivered_ml=delivered, granted=granted, denied=denied, steps=horizon)
