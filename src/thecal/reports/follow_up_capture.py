"""Follow-up capture per time point: how many episodes were due, how many had their follow-up
visit booked, attended or missed, how many answered a questionnaire in the window, and how many
were lost — and the same with and without a reminder sent (issue 17 §6).

It tells the clinic *why* an outcome figure has the denominator it has: an episode counts as
answered when a questionnaire linked to its procedure was answered inside the time point's
window (the same window the outcome report reads, ``domain/time_points.py``); lost = due −
answered. Only due episodes are counted (the window has closed by the report date). The SQL is
in ``adapters/read_models/follow_up_capture.py``; this module holds the row type, the port and
the wording.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from thecal.domain.time_points import TimePoint

__all__ = [
    "CaptureQuery",
    "CaptureSource",
    "TimePointCapture",
    "capture_document",
    "capture_sentence",
    "share",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureQuery:
    """Whom the capture is about: the procedure kinds (codes), an indication, the report date."""

    kinds: tuple[str, ...]
    report_date: dt.date
    indication: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimePointCapture:
    """One time point's capture; every count is of due episodes."""

    time_point: TimePoint
    due: int
    booked: int  # a follow-up visit was booked (whatever became of it)
    attended: int
    no_show: int
    answered: int  # a linked questionnaire inside the window
    reminded: int  # a reminder of its (booked) follow-up visit was sent
    reminded_answered: int
    not_reminded_answered: int  # booked, no reminder sent, answered

    def __post_init__(self) -> None:
        counts = (self.booked, self.answered, self.reminded)
        if (
            self.due < 0
            or any(not 0 <= c <= self.due for c in counts)
            or self.reminded > self.booked
        ):
            msg = f"inconsistent capture counts for {self.time_point.name}"
            raise ValueError(msg)
        if self.attended + self.no_show > self.booked:
            msg = f"more visits kept or missed than booked at {self.time_point.name}"
            raise ValueError(msg)

    @property
    def lost(self) -> int:
        return self.due - self.answered

    @property
    def not_reminded(self) -> int:
        """Booked visits without a reminder sent."""
        return self.booked - self.reminded


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent to one decimal; None when there is no whole."""
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def capture_sentence(row: TimePointCapture) -> str:
    """One line for a clinician: "3 months: 40 due, 31 booked (27 attended, 3 no-shows), 29
    answered, 11 lost; answered 85.0 % with a reminder (17 of 20), 60.0 % without (12 of 20)"."""
    line = (
        f"{row.time_point.name}: {row.due} due, {row.booked} booked ({row.attended} attended, "
        f"{row.no_show} no-show{'s' if row.no_show != 1 else ''}), {row.answered} answered, "
        f"{row.lost} lost"
    )
    with_reminder = share(row.reminded_answered, row.reminded)
    without = share(row.not_reminded_answered, row.not_reminded)
    if with_reminder is not None or without is not None:
        parts = []
        if with_reminder is not None:
            parts.append(
                f"{with_reminder} % with a reminder ({row.reminded_answered} of {row.reminded})"
            )
        if without is not None:
            parts.append(
                f"{without} % of the booked without ({row.not_reminded_answered} of {row.not_reminded})"
            )
        line += "; answered " + ", ".join(parts)
    return line


class CaptureSource(Protocol):
    def capture(
        self, query: CaptureQuery, time_points: Sequence[TimePoint]
    ) -> list[TimePointCapture]: ...


def capture_document(rows: Sequence[TimePointCapture]) -> list[dict[str, object]]:
    """The capture as JSON-ready rows (shares as decimal text)."""
    return [
        {
            "time_point": r.time_point.name,
            "due": r.due,
            "booked": r.booked,
            "attended": r.attended,
            "no_show": r.no_show,
            "answered": r.answered,
            "lost": r.lost,
            "reminded": r.reminded,
            "reminded_answered": r.reminded_answered,
            "not_reminded": r.not_reminded,
            "not_reminded_answered": r.not_reminded_answered,
            "answered_percent_with_reminder": _text(share(r.reminded_answered, r.reminded)),
            "answered_percent_without_reminder": _text(
                share(r.not_reminded_answered, r.not_reminded)
            ),
            "sentence": capture_sentence(r),
        }
        for r in rows
    ]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
