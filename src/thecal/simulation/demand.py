"""Patient-bolus demand: when the patient presses the button.

A non-homogeneous Poisson process with a mean of ``per_day`` requests a day, shaped over the day
by a 24-value hour-of-day profile (relative weights). Requests are drawn by thinning (Lewis and
Shedler): candidate times from a homogeneous process at the peak rate, each kept with probability
weight ÷ peak weight. Every draw comes from the seeded :class:`random.Random` passed in, so the
same seed gives the same requests; times are whole microseconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import log

from thecal.simulation.scale import US_PER_DAY, US_PER_HOUR

__all__ = ["BolusDemand", "requests"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BolusDemand:
    """Mean requests per day and a relative weight for each hour of the (local) day."""

    per_day: Decimal
    hourly_profile: tuple[Decimal, ...] = field(default=(Decimal(1),) * 24)

    def __post_init__(self) -> None:
        if self.per_day < 0:
            msg = f"per_day must be ≥ 0, got {self.per_day}"
            raise ValueError(msg)
        if len(self.hourly_profile) != 24 or any(w < 0 for w in self.hourly_profile):
            msg = "hourly_profile needs 24 non-negative weights"
            raise ValueError(msg)
        if self.per_day > 0 and not any(self.hourly_profile):
            msg = "hourly_profile must have a positive weight somewhere"
            raise ValueError(msg)


def requests(
    demand: BolusDemand, *, rng: random.Random, start: dt.datetime, until_us: int
) -> Iterator[int]:
    """Yield request times (µs since ``start``) in increasing order, up to ``until_us``."""
    weights: Sequence[Decimal] = demand.hourly_profile
    if demand.per_day == 0:
        return
    mean = sum(weights, Decimal(0)) / 24
    peak = max(weights)
    peak_per_us = float(demand.per_day * peak / mean) / US_PER_DAY
    keep = [float(w / peak) for w in weights]
    offset = start.hour * US_PER_HOUR + start.minute * 60_000_000 + start.second * 1_000_000
    t = 0
    uniform, hour_us = rng.random, US_PER_HOUR
    while True:
        # The exponential gap by inversion, -ln(1 - U) / rate: what random.expovariate
        # computes, written out to save a call per candidate.
        t += 1 + int(-log(1.0 - uniform()) / peak_per_us)
        if t > until_us:
            return
        if uniform() < keep[((t + offset) // hour_us) % 24]:
            yield t
