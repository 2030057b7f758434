"""The procedure repository port (the records outcome reports are made from).

Add, get, optimistic update; finders remember what they load (``uow.procedures``).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.procedure import ProcedureRecord
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "ProcedureRepository",
]


class ProcedureRepository(VersionedRepository[ProcedureRecord]):
    kind = "procedure"

    def for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]:
        """A patient's procedures, newest first (by day, then id)."""
        return [p for p in self._for_patient(patient_id) if self._remember(p)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]: ...
