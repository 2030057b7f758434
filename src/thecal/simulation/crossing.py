"""Exact first-crossing search on a monotone integer function of time.

The twin's thresholds (the pump's count reaching the low-reservoir level or zero, the real
reservoir running dry, the battery reaching ERI) are all "a non-decreasing integer function of
time reaches a target". Where the function is a known straight line (one flex step, one bolus)
:mod:`.schedule` inverts it in closed form. This module is the general fallback for the rest
(several overlapping boluses, the battery budget): an interpolation search that keeps a bracket
and falls back to halving whenever interpolation stalls, so it is exact like bisection, needs a
handful of evaluations on piecewise-linear functions (interpolation lands on or just past the
answer; the microsecond before it is tried next), and never more than a small multiple of
bisection's on any monotone function.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["first_reaching"]

_NEIGHBOURS = 3  # microseconds tried one by one below an interpolated guess before halving


def first_reaching(
    value: Callable[[int], int], *, low: int, high: int, target: int, at_low: int
) -> int:
    """Smallest ``t`` in ``(low, high]`` with ``value(t) >= target``.

    Requires ``value`` non-decreasing, ``at_low == value(low) < target <= value(high)``.
    """
    high_value = value(high)
    if high_value < target:
        msg = f"the target {target} is not reached by {high} µs ({high_value})"
        raise ValueError(msg)
    mode, neighbours = "interpolate", 0
    while high - low > 1:
        if mode == "halve":
            guess = (low + high) // 2
        elif mode == "neighbour":
            guess = high - 1  # interpolation lands on or just past the answer: try just before
        else:  # linear interpolation between the bracket ends, rounded up
            guess = low + -(-(target - at_low) * (high - low) // (high_value - at_low))
            guess = min(max(guess, low + 1), high - 1)
        before = high - low
        found = value(guess)
        if found >= target:
            high, high_value = guess, found
        else:
            low, at_low = guess, found
        if mode != "halve" and found >= target and neighbours < _NEIGHBOURS:
            mode, neighbours = "neighbour", neighbours + 1
        elif mode != "halve" and (high - low) * 2 > before:
            mode = "halve"  # the last guess did not halve the bracket: halve it once
        else:
            mode, neighbours = "interpolate", 0
    return high
