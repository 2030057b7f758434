"""Device alarms: each one present exactly while its condition holds, every change logged.

Priorities follow the IEC 60601-1-8 categories (high: immediate response; medium: prompt response;
low: awareness) [S20b in safety.md]; the mapping of each pump condition to a category is a twin
assumption [A], chosen so that anything that stops or endangers delivery is high.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from thecal.domain.device_events import AlarmPriority

__all__ = ["AlarmBoard", "AlarmChange", "AlarmKind", "AlarmPriority"]


class AlarmKind(Enum):
    """A pump alarm condition and its IEC 60601-1-8 style priority [A]."""

    LOW_RESERVOIR = ("low-reservoir", AlarmPriority.MEDIUM)  # S47: 2 mL default, programmable
    EMPTY_RESERVOIR = ("empty-reservoir", AlarmPriority.HIGH)  # the pump's count reached zero
    ELECTIVE_REPLACEMENT = ("elective-replacement", AlarmPriority.MEDIUM)  # ERI, S50
    END_OF_SERVICE = ("end-of-service", AlarmPriority.HIGH)  # stop 90 days after ERI, S50
    MOTOR_STALL = ("motor-stall", AlarmPriority.HIGH)  # MRI (S55) or motor fault (S51)
    VALVE_CLOSED = ("valve-closed", AlarmPriority.HIGH)  # Prometra II FAV shut in MRI (S60)

    def __init__(self, code: str, priority: AlarmPriority) -> None:
        self.code = code
        self.priority = priority


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmChange:
    """An alarm raised or cleared at ``at_us`` (µs since the twin's start)."""

    at_us: int
    kind: AlarmKind
    raised: bool


class AlarmBoard:
    """The set of active alarms and the log of every change."""

    __slots__ = ("_codes", "_states", "active", "log")

    def __init__(self) -> None:
        self.active: set[AlarmKind] = set()
        self.log: list[AlarmChange] = []
        self._codes: tuple[str, ...] = ()
        self._states = tuple(False for _ in AlarmKind)

    @property
    def states(self) -> tuple[bool, ...]:
        """Whether each kind is present, in :class:`AlarmKind` order (one cheap comparison tells
        a caller that nothing needs to change)."""
        return self._states

    def set(self, kind: AlarmKind, *, present: bool, at_us: int) -> AlarmChange | None:
        """Make ``kind`` present or absent; returns the change, or None if nothing changed."""
        if present == (kind in self.active):
            return None
        if present:
            self.active.add(kind)
        else:
            self.active.discard(kind)
        self._codes = tuple(sorted(k.code for k in self.active))
        self._states = tuple(k in self.active for k in AlarmKind)
        change = AlarmChange(at_us=at_us, kind=kind, raised=present)
        self.log.append(change)
        return change

    def codes(self) -> tuple[str, ...]:
        return self._codes

    def restore(self, active: Iterable[AlarmKind], log: Iterable[AlarmChange]) -> None:
        """Set the active alarms and the change log from a saved state."""
        self.active, self.log = set(active), list(log)
        self._codes = tuple(sorted(k.code for k in self.active))
        self._states = tuple(k in self.active for k in AlarmKind)
