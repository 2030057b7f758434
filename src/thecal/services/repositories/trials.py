"""The intrathecal trial repository port (``domain/trial/``).

A trial is identified by ``trial_id`` (a :class:`~thecal.services.repositories.versioned.
KeyedRepository`); the plan's safety findings travel in ``pending_findings`` from
``add_planned`` to ``_add``. Optimistic locking as for every versioned repository (SR-24).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from thecal.domain.program_change import FindingSummary
from thecal.domain.trial import Trial
from thecal.services.repositories.versioned import (
    KeyedRepository,
)

__all__ = [
    "TrialRepository",
]


class TrialRepository(KeyedRepository):
    """Trials with their observations; the plan's safety findings are stored beside the trial."""

    kind = "trial"

    def __init__(self) -> None:
        super().__init__()
        self.pending_findings: dict[str, tuple[FindingSummary, ...]] = {}

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.trial_id)

    def get_trial(self, trial_id: str) -> Trial | None:
        found: Trial | None = self.get(trial_id)
        return found

    def for_patient(self, patient_id: str) -> Sequence[Trial]:
        """A patient's trials, newest plan first."""
        return [t for t in self._for_patient(patient_id) if self._remember(t)]

    def add_planned(self, trial: Trial, *, findings: tuple[FindingSummary, ...]) -> None:
        self.pending_findings[trial.trial_id] = findings
        self.add(trial)

    def findings_of(self, trial_id: str) -> tuple[FindingSummary, ...]:
        """The safety review's findings on the trial plan."""
        return self._findings_of(trial_id)

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Trial]: ...

    @abc.abstractmethod
    def _findings_of(self, trial_id: str) -> tuple[FindingSummary, ...]: ...
