"""Proportions for outcome reports: the Wilson score interval and honest percent text.

Everything is exact integer or ``Decimal`` arithmetic (28 significant digits); no binary float
enters, so a report computed twice gives the same digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from thecal.domain.errors import ValueOutOfRange

__all__ = [
    "DEFAULT_CONFIDENCE",
    "Z_BY_CONFIDENCE",
    "Proportion",
    "headline_percent",
    "percent_text",
    "wilson_interval",
]

DEFAULT_CONFIDENCE = Decimal("0.95")
#: Two-sided standard-normal quantiles z = Φ⁻¹(1 − (1 − confidence)/2). For 95 %,
#: z = 1.959963984540054 (Φ⁻¹(0.975) to 16 significant digits). Only listed levels are offered,
#: so no quantile is ever approximated at run time.
Z_BY_CONFIDENCE: Mapping[Decimal, Decimal] = {DEFAULT_CONFIDENCE: Decimal("1.959963984540054")}

_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)


def wilson_interval(
    successes: int, n: int, confidence: Decimal = DEFAULT_CONFIDENCE
) -> tuple[Decimal, Decimal]:
    """The Wilson score interval of a binomial proportion, as fractions 0–1.

    With p̂ = successes / n and z the two-sided quantile of ``confidence``::

        centre = (p̂ + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) × √(p̂(1 − p̂)/n + z²/4n²)

    and the interval is (centre − half, centre + half). The bounds are exactly 0 at 0 successes
    and exactly 1 at n successes (as the algebra gives), and clamped to [0, 1] against the last
    digit of rounding otherwise. Unlike the normal approximation it never leaves [0, 1] and is sensible at
    0 and n successes.

    Args:
        successes: how many responded, 0 ≤ successes ≤ n.
        n: how many were counted, at least 1.
        confidence: the confidence level; one of :data:`Z_BY_CONFIDENCE` (0.95).

    Returns:
        ``(low, high)`` as Decimals with 28 significant digits.

    Raises:
        ValueOutOfRange: ``n < 1``, successes outside 0–n, or an unsupported confidence.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueOutOfRange(name="n", expected="a whole number ≥ 1", value=n)
    if isinstance(successes, bool) or not isinstance(successes, int) or not 0 <= successes <= n:
        raise ValueOutOfRange(name="successes", expected=f"a whole number 0–{n}", value=successes)
    z = Z_BY_CONFIDENCE.get(confidence)
    if z is None:
        raise ValueOutOfRange(
            name="confidence",
            expected=f"one of {', '.join(str(level) for level in Z_BY_CONFIDENCE)}",
            value=confidence,
        )
    with localcontext(_CONTEXT):
        size = Decimal(n)
        p = Decimal(successes) / size
        z2 = z * z
        denominator = _ONE + z2 / size
        centre = (p + z2 / (2 * size)) / denominator
        half = z / denominator * (p * (_ONE - p) / size + z2 / (4 * size * size)).sqrt()
        low = _ZERO if successes == 0 else max(_ZERO, centre - half)
        high = _ONE if successes == n else min(_ONE, centre + half)
        return low, high


@dataclass(frozen=True, slots=True, kw_only=True)
class Proportion:
    """``successes`` of ``n`` with its Wilson interval.

    Attributes:
        successes: the numerator.
        n: the denominator, at least 1.
        fraction: successes / n (28 significant digits).
        low: lower bound of the interval, a fraction.
        high: upper bound of the interval, a fraction.
        confidence: the interval's confidence level.
    """

    successes: int
    n: int
    fraction: Decimal
    low: Decimal
    high: Decimal
    confidence: Decimal

    @classmethod
    def of(cls, successes: int, n: int, confidence: Decimal = DEFAULT_CONFIDENCE) -> Proportion:
        """``successes`` of ``n`` with its Wilson interval.

        Raises:
            ValueOutOfRange: as :func:`wilson_interval`.
        """
        low, high = wilson_interval(successes, n, confidence)
        return cls(
            successes=successes,
            n=n,
            fraction=_CONTEXT.divide(Decimal(successes), Decimal(n)),
            low=low,
            high=high,
            confidence=confidence,
        )

    @property
    def headline(self) -> str:
        """The honest headline percent: ``"Over 84 %"``, ``"84 %"`` or ``"Under 1 %"``."""
        return headline_percent(self.successes, self.n)


def percent_text(fraction: Decimal) -> str:
    """A fraction as a percent with one decimal, rounded half up: 0.78458 → ``"78.5"``."""
    return str((fraction * _HUNDRED).quantize(_TENTH, rounding=ROUND_HALF_UP, context=_CONTEXT))


def headline_percent(successes: int, n: int) -> str:
    """A headline percent that is never an overstatement.

    With P = 100 × successes / n computed exactly in integers and X the largest whole number
    not above P:

    * ``"X %"`` when P is exactly X (84 % is never written "over 84 %");
    * ``"Over X %"`` when P is strictly above X (174 of 207 is 84.06 %: "Over 84 %");
    * ``"Under 1 %"`` when 0 < P < 1 ("over 0 %" says nothing).

    Raises:
        ValueOutOfRange: ``n < 1`` or successes outside 0–n.
    """
    if n < 1:
        raise ValueOutOfRange(name="n", expected="a whole number ≥ 1", value=n)
    if not 0 <= successes <= n:
        raise ValueOutOfRange(name="successes", expected=f"a whole number 0–{n}", value=successes)
    whole, remainder = divmod(100 * successes, n)
    if remainder == 0:
        return f"{whole} %"
    if whole == 0:
        return "Under 1 %"
    return f"Over {whole} %"
