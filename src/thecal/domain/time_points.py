"""Follow-up time points: a target day after a procedure ± a window (clinic policy).

The outcome report counts a follow-up only inside its window (``reports/outcome_policy.py``), and
the scheduler books the follow-up visits in the same windows (``domain/scheduling/visit_needs.py``),
so a visit the clinic books is a visit the report can count.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.errors import ValueOutOfRange

__all__ = ["DEFAULT_TIME_POINTS", "TimePoint"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimePoint:
    """A named follow-up time point: the target day after the procedure ± a window.

    Raises:
        ValueOutOfRange: ``target_day < 1`` or a window not in 0 … target_day − 1.
    """

    name: str
    target_day: int
    window_days: int

    def __post_init__(self) -> None:
        if self.target_day < 1:
            raise ValueOutOfRange(name="target_day", expected="1 or more", value=self.target_day)
        if not 0 <= self.window_days < self.target_day:
            raise ValueOutOfRange(
                name="window_days", expected=f"0–{self.target_day - 1}", value=self.window_days
            )

    @property
    def first_day(self) -> int:
        """The first day after the procedure inside the window."""
        return self.target_day - self.window_days

    @property
    def last_day(self) -> int:
        """The last day after the procedure inside the window."""
        return self.target_day + self.window_days


#: Default time points (clinic policy, no source key): windows that do not overlap.
DEFAULT_TIME_POINTS = (
    TimePoint(name="1 month", target_day=30, window_days=14),
    TimePoint(name="3 months", target_day=90, window_days=30),
    TimePoint(name="6 months", target_day=180, window_days=45),
    TimePoint(name="12 months", target_day=365, window_days=60),
)
