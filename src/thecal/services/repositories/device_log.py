"""What reached a pump and what it reported: append-only log ports and their entries.

* :class:`DeviceCommand` — one command that reached a pump, in order (the pump's command log; for
  the twin it is also the twin's memory: see ``adapters/twin/store.py``), with the twin's latest
  :class:`DeviceSnapshot` beside it (:class:`DeviceCommandLog`).
* :class:`LoggedDeviceEvent`, :class:`LoggedPatientBolus` — what interrogations reported
  (:class:`DeviceLogRepository`).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from thecal.domain.device_events import AlarmPriority

__all__ = [
    "DeviceCommand",
    "DeviceCommandLog",
    "DeviceLogRepository",
    "DeviceSnapshot",
    "LoggedDeviceEvent",
    "LoggedPatientBolus",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceCommand:
    """One command to one pump: ``seq`` orders a pump's commands; ``payload`` is JSON-ready."""

    serial: str
    seq: int
    at: dt.datetime
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedDeviceEvent:
    pump_id: str
    at: dt.datetime
    code: str
    detail: str
    priority: AlarmPriority | None
    interrogated_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedPatientBolus:
    pump_id: str
    at: dt.datetime
    granted: bool
    reason: str
    uncertain: bool
    source: str  # "request" (thecal asked the pump) or "interrogation" (the pump's own log)


class DeviceLogRepository(abc.ABC):
    """Append-only: device events and patient-bolus entries reported by interrogations."""

    @abc.abstractmethod
    def add_events(self, events: Sequence[LoggedDeviceEvent]) -> None: ...

    @abc.abstractmethod
    def add_boluses(self, boluses: Sequence[LoggedPatientBolus]) -> None: ...

    @abc.abstractmethod
    def events(self, pump_id: str) -> Sequence[LoggedDeviceEvent]: ...

    @abc.abstractmethod
    def boluses(self, pump_id: str) -> Sequence[LoggedPatientBolus]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSnapshot:
    """A pump twin's saved state as of its command ``seq`` (instant ``at``); JSON-ready."""

    serial: str
    seq: int
    at: dt.datetime
    state: dict[str, Any]


class DeviceCommandLog(abc.ABC):
    """Append-only: every command that reached a pump, numbered per serial from 1.

    A log may also keep each pump's latest twin snapshot (``adapters/twin/store.py``), so a
    twin is rebuilt from it plus the commands after it; one that keeps none (the defaults
    below) always has the twin replayed from its first command.
    """

    @abc.abstractmethod
    def for_serial(self, serial: str) -> Sequence[DeviceCommand]: ...

    def since(self, serial: str, seq: int) -> Sequence[DeviceCommand]:
        """The commands of ``serial`` numbered ``seq`` or later, in order."""
        return [command for command in self.for_serial(serial) if command.seq >= seq]

    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        """The twin state last saved for ``serial`` (None: none kept)."""
        del serial
        return None

    def save_snapshot(self, snapshot: DeviceSnapshot) -> None:
        """Keep ``snapshot`` as its pump's latest (replacing the one before); may ignore it."""
        del snapshot

    def database(self) -> object | None:
        """What identifies the database this log is in, for a process-local cache of twins of
        its committed commands (None: no such cache)."""
        return None

    def after_commit(self, callback: Callable[[], None]) -> bool:
        """Call ``callback`` once, when this log's transaction commits (never if it rolls
        back); False, and nothing is ever called, when the log cannot tell."""
        del callback
        return False

    @abc.abstractmethod
    def last_seq(self, serial: str) -> int:
        """The highest ``seq`` stored for ``serial`` (0 when none)."""

    @abc.abstractmethod
    def append(self, command: DeviceCommand) -> None:
        """Store ``command``; its ``(serial, seq)`` is unique, so a second writer fails."""
