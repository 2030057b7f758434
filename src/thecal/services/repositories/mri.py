"""The MRI plan repository port (``domain/mri.py``).

A plan is identified by ``plan_id`` (a :class:`~thecal.services.repositories.versioned.
KeyedRepository`) and remembers its pump and the id of its stored post-MRI task.
"""

from __future__ import annotations

import abc
from typing import Any

from thecal.domain.mri import MriPlan
from thecal.services.repositories.versioned import (
    KeyedRepository,
)

__all__ = [
    "MriPlanRepository",
]


class MriPlanRepository(KeyedRepository):
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
