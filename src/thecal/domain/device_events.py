"""What a pump reports about itself: alarms, device events, the patient-bolus log, battery state.

These are the words interrogation speaks, whether the pump is the digital twin or a real device
behind a driver. Times are timezone-aware datetimes; volumes and masses are domain quantities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

__all__ = ["AlarmPriority", "BatteryState", "DeviceEvent", "PatientBolusRecord"]


class AlarmPriority(Enum):
    """IEC 60601-1-8 alarm categories (safety.md SR-11, S20b)."""

    HIGH = "high"  # immediate response needed
    MEDIUM = "medium"  # prompt response needed
    LOW = "low"  # awareness


class BatteryState(Enum):
    OK = "ok"
    ELECTIVE_REPLACEMENT = "elective-replacement"  # ERI: stop after the model's delay (S50)
    END_OF_SERVICE = "end-of-service"  # the pump has stopped for good


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceEvent:
    """One entry of a pump's event log (alarm raised/cleared, MRI stall, reset, command, …)."""

    at: dt.datetime
    code: str
    detail: str
    priority: AlarmPriority | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientBolusRecord:
    """One patient-activated bolus request and what the pump did with it."""

    at: dt.datetime
    granted: bool
    reason: str  # "granted", "lockout", "daily maximum", …
    uncertain: bool = False
