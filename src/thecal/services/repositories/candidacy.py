"""The candidacy assessment repository port."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.candidacy import CandidacyAssessment
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "CandidacyRepository",
]


class CandidacyRepository(VersionedRepository[CandidacyAssessment]):
    kind = "candidacy assessment"

    def for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]:
        """A patient's assessments, newest first."""
        return [a for a in self._for_patient(patient_id) if self._remember(a)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]: ...
