"""The assessment repository port (instrument answers and scores; ``uow.assessments``)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.assessment import Assessment
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "AssessmentRepository",
]


class AssessmentRepository(VersionedRepository[Assessment]):
    kind = "assessment"

    def for_patient(self, patient_id: str) -> Sequence[Assessment]:
        """A patient's assessments, oldest first (by day, then recording time, then id)."""
        return [a for a in self._for_patient(patient_id) if self._remember(a)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Assessment]: ...
