"""The reminder and reminder-preference repository ports."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence

from thecal.domain.scheduling import Reminder, ReminderPreference

__all__ = ["ReminderPreferenceRepository", "ReminderRepository"]


class ReminderRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, reminder: Reminder) -> None: ...

    @abc.abstractmethod
    def get(self, reminder_id: str) -> Reminder | None: ...

    @abc.abstractmethod
    def update(self, reminder: Reminder) -> None: ...

    @abc.abstractmethod
    def for_appointment(self, appointment_id: str) -> Sequence[Reminder]: ...

    @abc.abstractmethod
    def due(self, now: dt.datetime, *, limit: int) -> Sequence[Reminder]:
        """Pending reminders due by ``now``, oldest first."""

    @abc.abstractmethod
    def claimed(self) -> Sequence[Reminder]:
        """Reminders claimed for sending (state ``sending``)."""


class ReminderPreferenceRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, patient_id: str) -> ReminderPreference | None: ...

    @abc.abstractmethod
    def put(self, preference: ReminderPreference) -> None: ...
