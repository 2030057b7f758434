"""The appointment repository port.

The repository keeps the **slot rows** with each visit: adding or updating a visit that holds its
slots writes one row per (clinician or room, 15-minute slot) under a unique key, and a visit that
gives them up (cancelled, rescheduled, missed) deletes its rows, in the same transaction. A slot
already held is refused with :class:`~thecal.domain.scheduling.SlotTaken`: the database, not a
read before the write, decides between concurrent bookings."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping, Sequence

from thecal.domain.scheduling import Appointment, VisitPurpose
from thecal.services.repositories.versioned import VersionedRepository

__all__ = ["AppointmentRepository"]


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
