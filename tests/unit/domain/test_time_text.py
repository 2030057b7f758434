from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.time_text import timespan_text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=40.9), "40 s"),
        (dt.timedelta(minutes=1), "1 min"),
        (dt.timedelta(minutes=12, seconds=59), "12 min"),
        (dt.timedelta(hours=2, minutes=5), "2 h 5 min"),
        (dt.timedelta(hours=3), "3 h"),
        (dt.timedelta(seconds=86387.89), "23 h 59 min"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=3, hours=4, minutes=30), "3 days 4 h"),
    ],
)
def test_a_length_of_time_reads_in_days_hours_and_minutes(delta: dt.timedelta, text: str) -> None:
    assert timespan_text(delta) == text


def test_a_negative_length_is_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        timespan_text(dt.timedelta(seconds=-1))
