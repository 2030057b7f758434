"""Repository ports for procedures and assessments (the records outcome reports are made from).

Both follow :class:`~thecal.services.repositories.VersionedRepository`: add, get, optimistic
update; finders remember what they load. They are attributes of the unit of work
(``uow.procedures``, ``uow.assessments``).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.assessment import Assessment
from thecal.domain.procedure import ProcedureRecord
from thecal.services.repositories import VersionedRepository

__all__ = ["AssessmentRepository", "ProcedureRepository"]


class ProcedureRepository(VersionedRepository[ProcedureRecord]):
    kind = "procedure"

    def for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]:
        """A patient's procedures, newest first (by day, then id)."""
        return [p for p in self._for_patient(patient_id) if self._remember(p)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[ProcedureRecord]: ...


class AssessmentRepository(VersionedRepository[Assessment]):
    kind = "assessment"

    def for_patient(self, patient_id: str) -> Sequence[Assessment]:
        """A patient's assessments, oldest first (by day, then recording time, then id)."""
        return [a for a in self._for_patient(patient_id) if self._remember(a)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Assessment]: ...
