"""In-memory fakes of the trial and MRI-plan ports for ``FakeUnitOfWork`` (deep-copied with it)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from thecal.domain.mri import MriPlan
from thecal.domain.program_change import FindingSummary
from thecal.domain.trial import Trial
from thecal.services.repositories.mri import MriPlanRepository
from thecal.services.repositories.trials import TrialRepository


@dataclass
class PlanData:
    trials: dict[str, tuple[Trial, tuple[FindingSummary, ...]]] = field(default_factory=dict)
    mri: dict[str, tuple[MriPlan, str, str | None]] = field(default_factory=dict)


class FakeTrials(TrialRepository):
    def __init__(self, d: PlanData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: Trial) -> None:
        findings = self.pending_findings.pop(aggregate.trial_id, ())
        self.d.trials[aggregate.trial_id] = (copy.deepcopy(aggregate), findings)

    def _get(self, ident: str) -> Trial | None:
        found = self.d.trials.get(ident)
        return None if found is None else copy.deepcopy(found[0])

    def _for_patient(self, patient_id: str) -> Sequence[Trial]:
        return [copy.deepcopy(t) for t, _ in self.d.trials.values() if t.patient_id == patient_id]

    def _findings_of(self, trial_id: str) -> tuple[FindingSummary, ...]:
        found = self.d.trials.get(trial_id)
        return () if found is None else found[1]

    def _update(self, aggregate: Trial, *, expected_version: int) -> bool:
        stored = self.d.trials.get(aggregate.trial_id)
        if stored is None or stored[0].version != expected_version:
            return False
        self.d.trials[aggregate.trial_id] = (copy.deepcopy(aggregate), stored[1])
        return True


class FakeMriPlans(MriPlanRepository):
    def __init__(self, d: PlanData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: MriPlan) -> None:
        pump_id, task_id = self.links[aggregate.plan_id]
        self.d.mri[aggregate.plan_id] = (copy.deepcopy(aggregate), pump_id, task_id)

    def _get(self, ident: str) -> MriPlan | None:
        found = self.d.mri.get(ident)
        return None if found is None else copy.deepcopy(found[0])

    def _stored_link(self, plan_id: str) -> tuple[str, str | None] | None:
        found = self.d.mri.get(plan_id)
        return None if found is None else (found[1], found[2])

    def _update(self, aggregate: MriPlan, *, expected_version: int) -> bool:
        stored = self.d.mri.get(aggregate.plan_id)
        link = self._link(aggregate.plan_id)
        if stored is None or link is None or stored[0].version != expected_version:
            return False
        self.d.mri[aggregate.plan_id] = (copy.deepcopy(aggregate), link[0], link[1])
        return True


def install(uow: Any, d: PlanData) -> None:
    """Set the trial and MRI-plan repositories of a fake unit of work."""
    uow.trials = FakeTrials(d)
    uow.mri_plans = FakeMriPlans(d)
