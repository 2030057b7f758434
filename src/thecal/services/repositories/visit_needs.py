"""The visit-need repository port."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.scheduling import VisitNeed

__all__ = ["VisitNeedRepository"]


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
