"""The MRI plan repository: each plan with its pump and its stored post-MRI task."""

from __future__ import annotations

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.mri import mri_from_row, mri_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.mri import mri_plans
from thecal.domain.mri import MriPlan
from thecal.services.repositories.mri import MriPlanRepository

__all__ = [
    "SqlAlchemyMriPlanRepository",
]


class SqlAlchemyMriPlanRepository(MriPlanRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: MriPlan) -> None:
        pump_id, task_id = self.links[aggregate.plan_id]
        self._s.execute(
            insert(mri_plans).values(**mri_to_row(aggregate, pump_id=pump_id, task_id=task_id))
        )

    def _get(self, ident: str) -> MriPlan | None:
        row = (
            self._s.execute(select(mri_plans).where(mri_plans.c.id == ident))
            .mappings()
            .one_or_none()
        )
        return mri_from_row(row) if row else None

    def _stored_link(self, plan_id: str) -> tuple[str, str | None] | None:
        row = self._s.execute(
            select(mri_plans.c.pump_id, mri_plans.c.task_id).where(mri_plans.c.id == plan_id)
        ).one_or_none()
        return None if row is None else (str(row[0]), None if row[1] is None else str(row[1]))

    def _update(self, aggregate: MriPlan, *, expected_version: int) -> bool:
        link = self._link(aggregate.plan_id)
        if link is None:
            return False
        values = mri_to_row(aggregate, pump_id=link[0], task_id=link[1])
        return versioned_update(self._s, mri_plans, aggregate.plan_id, expected_version, values)
