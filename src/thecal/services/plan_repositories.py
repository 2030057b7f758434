"""Repository ports for the intrathecal trial and the MRI plan (``domain/trial.py``, ``domain/mri.py``).

Both aggregates are identified by their own id attribute (``trial_id``, ``plan_id``) rather than
``id``, so the version memory is keyed by :meth:`_PlanRepository.key`. Optimistic locking as for
every :class:`~thecal.services.repositories.VersionedRepository` (SR-24).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from thecal.domain.mri import MriPlan
from thecal.domain.program_change import FindingSummary
from thecal.domain.trial import Trial
from thecal.services.repositories import StaleAggregate, VersionedRepository

__all__ = ["MriPlanRepository", "TrialRepository"]


class _PlanRepository(VersionedRepository[Any]):
    """Versioned storage for an aggregate whose identity attribute is not ``id``."""

    @staticmethod
    @abc.abstractmethod
    def key(aggregate: Any) -> str: ...

    def add(self, aggregate: Any) -> None:
        self._add(aggregate)
        self._loaded[self.key(aggregate)] = aggregate.version
        self.written = True

    def update(self, aggregate: Any) -> None:
        ident = self.key(aggregate)
        loaded = self._loaded.get(ident)
        if loaded is None:
            msg = f"{self.kind} {ident} was not loaded through this repository"
            raise RuntimeError(msg)
        if not self._update(aggregate, expected_version=loaded):
            raise StaleAggregate(kind=self.kind, ident=ident, expected=loaded)
        self._loaded[ident] = aggregate.version
        self.written = True

    def _remember(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self._loaded[self.key(aggregate)] = aggregate.version
        return aggregate


class TrialRepository(_PlanRepository):
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


class MriPlanRepository(_PlanRepository):
    """MRI plans; each remembers its pump and the id of its stored post-MRI task."""

    kind = "MRI plan"

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, tuple[str, str | None]] = {}  # plan id → (pump id, task id)

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.plan_id)

    def get_plan(self, plan_id: str) -> MriPlan | None:
        found: MriPlan | None = self.get(plan_id)
        return found

    def add_for_pump(self, plan: MriPlan, *, pump_id: str) -> None:
        self.links[plan.plan_id] = (pump_id, None)
        self.add(plan)

    def pump_of(self, plan_id: str) -> str | None:
        link = self._link(plan_id)
        return None if link is None else link[0]

    def task_of(self, plan_id: str) -> str | None:
        """The id of the stored post-MRI task, once the plan is cleared."""
        link = self._link(plan_id)
        return None if link is None else link[1]

    def set_task(self, plan_id: str, task_id: str | None) -> None:
        """Link the stored post-MRI task (written with the next ``update``)."""
        pump_id = self.pump_of(plan_id)
        if pump_id is None:
            msg = f"MRI plan {plan_id} is not stored"
            raise RuntimeError(msg)
        self.links[plan_id] = (pump_id, task_id)

    def _link(self, plan_id: str) -> tuple[str, str | None] | None:
        if plan_id in self.links:
            return self.links[plan_id]
        return self._stored_link(plan_id)

    @abc.abstractmethod
    def _stored_link(self, plan_id: str) -> tuple[str, str | None] | None: ...
