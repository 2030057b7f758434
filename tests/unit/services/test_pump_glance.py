"""The pump at a glance's own reading of the device log (issue 13 §1): an alarm is active from
its raise to its clear; high priority first, then newest; the battery as last reported."""

from __future__ import annotations

import datetime as dt

from thecal.domain.device_events import AlarmPriority, BatteryState
from thecal.services.pump_glance import active_alarms, battery_state
from thecal.services.repositories.device_log import LoggedDeviceEvent

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _event(hours: int, code: str, priority: AlarmPriority | None) -> LoggedDeviceEvent:
    at = T0 + dt.timedelta(hours=hours)
    return LoggedDeviceEvent(
        pump_id="p", at=at, code=code, detail="", priority=priority, interrogated_at=at
    )


def test_an_alarm_is_active_from_its_raise_until_its_clear() -> None:
    medium, high = AlarmPriority.MEDIUM, AlarmPriority.HIGH
    log = [
        _event(1, "alarm-raised:low-reservoir", medium),
        _event(2, "alarm-raised:motor-stall", high),
        _event(3, "alarm-cleared:motor-stall", high),
        _event(4, "alarm-raised:elective-replacement", medium),
        _event(5, "reservoir-dry", high),  # an event, not an alarm state
    ]
    active = active_alarms(log)
    assert [(a.code, a.priority, a.since) for a in active] == [
        ("elective-replacement", medium, T0 + dt.timedelta(hours=4)),  # newest first
        ("low-reservoir", medium, T0 + dt.timedelta(hours=1)),
    ]
    log.append(_event(6, "alarm-raised:motor-stall", high))  # raised again
    assert [a.code for a in active_alarms(log)] == [
        "motor-stall",  # high first
        "elective-replacement",
        "low-reservoir",
    ]
    assert battery_state(active_alarms(log), interrogated=True) is BatteryState.ELECTIVE_REPLACEMENT


def test_the_battery_is_not_known_before_any_interrogation() -> None:
    assert battery_state([], interrogated=False) is None
    assert battery_state([], interrogated=True) is BatteryState.OK
    eos = active_alarms([_event(1, "alarm-raised:end-of-service", AlarmPriority.HIGH)])
    assert battery_state(eos, interrogated=True) is BatteryState.END_OF_SERVICE
