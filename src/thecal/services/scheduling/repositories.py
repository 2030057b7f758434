"""Ports of the scheduling aggregates. Repositories load and store; they never commit.

The appointment repository keeps the **slot rows** with each visit: adding or updating a visit that
holds its slots writes one row per (clinician or room, 15-minute slot) under a unique key, and a
visit that gives them up (cancelled, rescheduled, missed) deletes its rows, all in the same
transaction. A slot already held is refused with :class:`~thecal.domain.scheduling.SlotTaken`:
the database, not a read before the write, decides between concurrent bookings.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from thecal.domain.scheduling import (
    Appointment,
    CalendarFeed,
    Closure,
    Referral,
    ReferralState,
    Reminder,
    ReminderPreference,
    Room,
    VisitNeed,
    VisitPurpose,
    WorkingHours,
)
from thecal.services.repositories import VersionedRepository

__all__ = [
    "AppointmentRepository",
    "CalendarFeedRepository",
    "CalendarRepository",
    "HolidayCalendar",
    "ReferralRepository",
    "ReminderPreferenceRepository",
    "ReminderRepository",
    "VisitNeedRepository",
]


class HolidayCalendar(Protocol):
    """Public holidays of the clinic's country and subdivision (the ``holidays`` library)."""

    def between(self, first: dt.date, last: dt.date) -> Mapping[dt.date, str]: ...


class ReferralRepository(VersionedRepository[Referral]):
    kind = "referral"

    def page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]:
        """Referrals, oldest received first, of the given states (None: all)."""
        return [
            r for r in self._page(states=states, limit=limit, offset=offset) if self._remember(r)
        ]

    @abc.abstractmethod
    def _page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]: ...

    def for_patient(self, patient_id: str) -> Sequence[Referral]:
        """The referrals accepted into this patient's record."""
        return [r for r in self._for_patient(patient_id) if self._remember(r)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Referral]: ...

    @abc.abstractmethod
    def count_from(self, client_key: str, *, since: dt.datetime) -> int:
        """How many referrals this client key sent since ``since`` (throttling)."""


class AppointmentRepository(VersionedRepository[Appointment]):
    kind = "appointment"

    def for_patient(self, patient_id: str) -> Sequence[Appointment]:
        """A patient's visits, by start."""
        return [a for a in self._for_patient(patient_id) if self._remember(a)]

    def between(
        self, start: dt.datetime, end: dt.datetime, *, clinician_id: str | None = None
    ) -> Sequence[Appointment]:
        """Visits starting in ``[start, end)`` (of one clinician), by start, every state."""
        return [
            a for a in self._between(start, end, clinician_id=clinician_id) if self._remember(a)
        ]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Appointment]: ...

    @abc.abstractmethod
    def _between(
        self, start: dt.datetime, end: dt.datetime, *, clinician_id: str | None
    ) -> Sequence[Appointment]: ...

    @abc.abstractmethod
    def busy(
        self, resources: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Mapping[tuple[str, dt.datetime], str]:
        """Held slots of these resources in ``[start, end)``: (resource, slot) → appointment id."""

    @abc.abstractmethod
    def for_purposes(self, purposes: Sequence[VisitPurpose]) -> Sequence[Appointment]:
        """Every visit (any state) booked for one of these purposes."""


class CalendarRepository(abc.ABC):
    """Rooms, working hours and closures: clinic settings, written by administrators."""

    written = False

    @abc.abstractmethod
    def rooms(self) -> Sequence[Room]: ...

    @abc.abstractmethod
    def put_room(self, room: Room) -> None: ...

    @abc.abstractmethod
    def working_hours(self, user_id: str) -> Sequence[WorkingHours]: ...

    @abc.abstractmethod
    def scheduled_users(self) -> Sequence[str]:
        """The users who have working hours (the clinicians visits can be booked with)."""

    @abc.abstractmethod
    def set_working_hours(self, user_id: str, hours: Sequence[WorkingHours]) -> None:
        """Replace the user's working week."""

    @abc.abstractmethod
    def closures(self, *, user_id: str | None, first: dt.date, last: dt.date) -> Sequence[Closure]:
        """Clinic closures, and this user's leave, that touch ``[first, last]``."""

    @abc.abstractmethod
    def add_closure(self, closure: Closure) -> None: ...

    @abc.abstractmethod
    def remove_closure(self, closure_id: str) -> bool: ...


class VisitNeedRepository(abc.ABC):
    """The visits the clinic's facts ask for, per patient, replaced whenever they are re-planned."""

    @abc.abstractmethod
    def for_patient(self, patient_id: str) -> Sequence[VisitNeed]: ...

    @abc.abstractmethod
    def patients(self) -> Sequence[str]:
        """Every registered patient's id (whose needs a full re-plan recomputes), in id order."""

    @abc.abstractmethod
    def replace_for_patient(self, patient_id: str, needs: Sequence[VisitNeed]) -> None: ...

    @abc.abstractmethod
    def get(self, need_id: str) -> VisitNeed | None: ...


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


class CalendarFeedRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, feed: CalendarFeed) -> None: ...

    @abc.abstractmethod
    def live_for_user(self, user_id: str) -> CalendarFeed | None: ...

    @abc.abstractmethod
    def by_digest(self, digest: str) -> CalendarFeed | None: ...

    @abc.abstractmethod
    def revoke(self, feed_id: str, *, at: dt.datetime) -> None: ...
