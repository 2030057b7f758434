"""The portal's "next bolus" time against the twin's own gate (an independent implementation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.bolus_gate import next_bolus_allowed
from thecal.domain.program import PatientBolusSettings
from thecal.domain.units import Duration, Mass
from thecal.simulation.patient_bolus import PatientBolusGate

T0 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
SETTINGS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.1")),
    duration=Duration.minutes(10),
    lockout=Duration.hours(4),
    max_per_day=3,
)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_nothing_granted_allows_now() -> None:
    assert next_bolus_allowed(SETTINGS, [], now=at(0)) == at(0)


def test_inside_the_lockout_the_next_is_at_its_end() -> None:
    assert next_bolus_allowed(SETTINGS, [at(0)], now=at(1)) == at(4)


def test_after_the_lockout_now() -> None:
    assert next_bolus_allowed(SETTINGS, [at(0)], now=at(5)) == at(5)


def test_the_daily_maximum_waits_for_the_oldest_to_leave_the_24_hours() -> None:
    granted = [at(0), at(5), at(10)]
    assert next_bolus_allowed(SETTINGS, granted, now=at(15)) == at(24)


def test_a_bolus_logged_twice_counts_once() -> None:
    granted = [at(0), at(0), at(5)]  # the request and the interrogation's log of the same bolus
    assert next_bolus_allowed(SETTINGS, granted, now=at(10)) == at(10)


US = 1_000_000


@given(
    st.lists(st.integers(min_value=0, max_value=60 * 60 * 72), min_size=0, max_size=12),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=8),
)
def test_the_answer_is_the_first_instant_the_twin_gate_lets_a_bolus_start(
    asks: list[int], max_per_day: int, lockout_hours: int
) -> None:
    settings = PatientBolusSettings(
        dose=Mass.from_mg(Decimal("0.1")),
        duration=Duration.minutes(10),
        lockout=Duration.hours(lockout_hours),
        max_per_day=max_per_day,
    )
    gate = PatientBolusGate()
    gate.configure(settings)
    granted: list[dt.datetime] = []
    for second in sorted(asks):  # the patient asks at these seconds; the twin grants some
        if gate.refusal(second * US) is None:
            gate.grant(second * US)
            granted.append(T0 + dt.timedelta(seconds=second))
    now_s = (max(asks) if asks else 0) + 1
    answer = next_bolus_allowed(settings, granted, now=T0 + dt.timedelta(seconds=now_s))
    answer_s = int((answer - T0).total_seconds())
    if answer_s > now_s:  # (the gate forgets as time moves on: ask it in time order)
        assert gate.refusal((answer_s - 1) * US) is not None  # not a second earlier
    assert gate.refusal(answer_s * US) is None
