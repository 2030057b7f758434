"""Outcome-report policy: responder thresholds and follow-up time points.

Every threshold is clinic-configurable; the defaults and their source keys are listed in
:data:`POLICY_SOURCES` so that a settings page can show each default with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments.pgic import Pgic
from thecal.domain.time_points import DEFAULT_TIME_POINTS, TimePoint
from thecal.reports.stats import DEFAULT_CONFIDENCE, Z_BY_CONFIDENCE

__all__ = ["DEFAULT_TIME_POINTS", "POLICY_SOURCES", "OutcomePolicy", "TimePoint"]

_HUNDRED = Decimal(100)


#: The source key behind each policy default (shown next to the setting).
POLICY_SOURCES: Mapping[str, str] = {
    "less_pain_percent": "S110",
    "substantial_pain_percent": "S110",
    "pgic_threshold": "S115, S110 (IMMPACT: much improved or better is clinically important)",
    "odi_points": "S118, S119",
    "eq_vas_points": "clinic policy (no source)",
    "time_points": "clinic policy (no source)",
    "confidence": "convention",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomePolicy:
    """Responder thresholds and time points; every field is clinic-configurable.

    Attributes:
        less_pain_percent: pain reduction, in % of baseline, for "less pain" (≥ 30 %, IMMPACT
            moderate) [S110].
        substantial_pain_percent: pain reduction for "substantial" relief (≥ 50 %) [S110].
        pgic_threshold: weakest PGIC answer counted as improved: "much improved" by default, the
            clinically important threshold of IMMPACT and the Farrar anchor study [S110, S115];
            a clinic may choose "minimally improved" (a minimal change [S114]).
        odi_points: ODI drop in points for improved function (≥ 10, the MDC) [S118, S119].
        eq_vas_points: EQ VAS rise in points for better quality of life (≥ 10; clinic policy,
            no source in the reference — review before publishing).
        time_points: the named time points a report may ask for.
        confidence: confidence level of the intervals (0.95).

    Raises:
        ValueOutOfRange: a threshold outside its range, no time points or duplicate names.
        NotAnImprovementCategory: a PGIC threshold of "no change" or worse.
    """

    less_pain_percent: Decimal = Decimal(30)
    substantial_pain_percent: Decimal = Decimal(50)
    pgic_threshold: Pgic = Pgic.MUCH_IMPROVED
    odi_points: Decimal = Decimal(10)
    eq_vas_points: int = 10
    time_points: tuple[TimePoint, ...] = field(default=DEFAULT_TIME_POINTS)
    confidence: Decimal = DEFAULT_CONFIDENCE

    def __post_init__(self) -> None:
        for name in ("less_pain_percent", "substantial_pain_percent", "odi_points"):
            value = getattr(self, name)
            if not 0 < value <= _HUNDRED:
                raise ValueOutOfRange(name=name, expected="above 0, at most 100", value=value)
        if not 0 < self.eq_vas_points <= 100:
            raise ValueOutOfRange(name="eq_vas_points", expected="1–100", value=self.eq_vas_points)
        Pgic.VERY_MUCH_IMPROVED.is_improved(self.pgic_threshold)  # refuses a non-improvement
        names = [point.name for point in self.time_points]
        if not names or len(set(names)) != len(names):
            raise ValueOutOfRange(
                name="time_points", expected="at least one, names unique", value=names
            )
        if self.confidence not in Z_BY_CONFIDENCE:
            raise ValueOutOfRange(name="confidence", expected="0.95", value=self.confidence)

    def time_point(self, name: str) -> TimePoint:
        """The time point called ``name``.

        Raises:
            ValueOutOfRange: no time point has that name.
        """
        for point in self.time_points:
            if point.name == name:
                return point
        raise ValueOutOfRange(
            name="time point", expected=f"one of {[p.name for p in self.time_points]}", value=name
        )
