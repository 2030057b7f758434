"""The pump repository port (the :class:`~thecal.services.pump_record.Pump` record).

``get_for_update`` locks the pump row for the transaction, so two writers of one pump queue.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.services.pump_record import Pump, PumpState
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "PumpRepository",
    "PumpSearch",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpSearch:
    """Filters of a pump search (all given ones must match): the patient, a serial prefix, the
    model, the state. ``patient_ids``: only pumps of these patients (None: any)."""

    patient_id: str | None = None
    serial_prefix: str | None = None
    model_id: str | None = None
    state: PumpState | None = None
    patient_ids: frozenset[str] | None = None

    def admits(self, pump: Pump) -> bool:
        return (
            (self.patient_id is None or pump.patient_id == self.patient_id)
            and (self.serial_prefix is None or pump.serial.startswith(self.serial_prefix))
            and (self.model_id is None or pump.model_id == self.model_id)
            and (self.state is None or pump.state is self.state)
            and (self.patient_ids is None or pump.patient_id in self.patient_ids)
        )


class PumpRepository(VersionedRepository[Pump]):
    kind = "pump"

    def get_for_update(self, ident: str) -> Pump | None:
        """Load and lock the pump row for this transaction (serialises writers of one pump)."""
        return self._remember(self._get_locked(ident))

    def get_by_serial(self, serial: str) -> Pump | None:
        return self._remember(self._get_by_serial(serial))

    def for_patient(self, patient_id: str) -> Sequence[Pump]:
        return [p for p in self._for_patient(patient_id) if self._remember(p)]

    def search(self, query: PumpSearch, *, limit: int, offset: int) -> tuple[list[Pump], int]:
        """One page of the pumps ``query`` admits, newest implant first (then id), and how many
        it admits in all."""
        found, total = self._search(query, limit=limit, offset=offset)
        return [p for p in found if self._remember(p)], total

    @abc.abstractmethod
    def _search(self, query: PumpSearch, *, limit: int, offset: int) -> tuple[list[Pump], int]: ...

    @abc.abstractmethod
    def _get_locked(self, ident: str) -> Pump | None: ...

    @abc.abstractmethod
    def _get_by_serial(self, serial: str) -> Pump | None: ...

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Pump]: ...
