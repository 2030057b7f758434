"""The pump repository port (the :class:`~thecal.services.pump_record.Pump` record).

``get_for_update`` locks the pump row for the transaction, so two writers of one pump queue.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.services.pump_record import Pump
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "PumpRepository",
]


class PumpRepository(VersionedRepository[Pump]):
    kind = "pump"

    def get_for_update(self, ident: str) -> Pump | None:
        """Load and lock the pump row for this transaction (serialises writers of one pump)."""
        return self._remember(self._get_locked(ident))

    def get_by_serial(self, serial: str) -> Pump | None:
        return self._remember(self._get_by_serial(serial))

    def for_patient(self, patient_id: str) -> Sequence[Pump]:
        return [p for p in self._for_patient(patient_id) if self._remember(p)]

    @abc.abstractmethod
    def _get_locked(self, ident: str) -> Pump | None: ...

    @abc.abstractmethod
    def _get_by_serial(self, serial: str) -> Pump | None: ...

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Pump]: ...
