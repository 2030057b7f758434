"""SQLAlchemy repositories for trials (with their observations) and MRI plans. Parameterised Core
statements only; versioned writes are ``UPDATE … WHERE id = :id AND version = :loaded``.

Observations are append-only: an update inserts the time points beyond those already stored
(``seq`` numbers them from 1), so a stored observation is never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update

from thecal.adapters import plan_mappers as m
from thecal.adapters.database import Executor
from thecal.adapters.orm_plans import mri_plans, trial_observations, trials
from thecal.adapters.pathway_mappers import findings_from_json
from thecal.domain.mri import MriPlan
from thecal.domain.program_change import FindingSummary
from thecal.domain.trial import Trial
from thecal.services.repositories.mri import MriPlanRepository
from thecal.services.repositories.trials import TrialRepository

__all__ = ["SqlAlchemyMriPlanRepository", "SqlAlchemyTrialRepository"]


def _versioned(
    session: Executor, table: Any, ident: str, expected: int, values: dict[str, Any]
) -> bool:
    values = {k: v for k, v in values.items() if k != "id"}
    result = session.execute(
        update(table).where(table.c.id == ident, table.c.version == expected).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlAlchemyTrialRepository(TrialRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Trial) -> None:
        findings = self.pending_findings.pop(aggregate.trial_id, ())
        self._s.execute(insert(trials).values(**m.trial_to_row(aggregate, findings=findings)))
        self._append_observations(aggregate, stored=0)

    def _load(self, rows: Sequence[Any]) -> list[Trial]:
        found: list[Trial] = []
        for row in rows:
            observations = self._s.execute(
                select(trial_observations)
                .where(trial_observations.c.trial_id == row["id"])
                .order_by(trial_observations.c.seq)
            ).mappings()
            found.append(m.trial_from_rows(row, list(observations)))
        return found

    def _get(self, ident: str) -> Trial | None:
        rows = self._s.execute(select(trials).where(trials.c.id == ident)).mappings().all()
        loaded = self._load(rows)
        return loaded[0] if loaded else None

    def _for_patient(self, patient_id: str) -> Sequence[Trial]:
        rows = (
            self._s.execute(
                select(trials)
                .where(trials.c.patient_id == patient_id)
                .order_by(trials.c.planned_at.desc(), trials.c.id)
            )
            .mappings()
            .all()
        )
        return self._load(rows)

    def _findings_of(self, trial_id: str) -> tuple[FindingSummary, ...]:
        text = self._s.execute(
            select(trials.c.findings_json).where(trials.c.id == trial_id)
        ).scalar_one_or_none()
        return () if text is None else findings_from_json(text)

    def _update(self, aggregate: Trial, *, expected_version: int) -> bool:
        values = m.trial_to_row(aggregate, findings=None)
        if not _versioned(self._s, trials, aggregate.trial_id, expected_version, values):
            return False
        stored = self._s.execute(
            select(func.count()).where(trial_observations.c.trial_id == aggregate.trial_id)
        ).scalar_one()
        self._append_observations(aggregate, stored=int(stored))
        return True

    def _append_observations(self, trial: Trial, *, stored: int) -> None:
        fresh = trial.observations[stored:]
        if fresh:
            self._s.execute(
                insert(trial_observations),
                [
                    m.observation_to_row(trial.trial_id, stored + i, o)
                    for i, o in enumerate(fresh, start=1)
                ],
            )


class SqlAlchemyMriPlanRepository(MriPlanRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: MriPlan) -> None:
        pump_id, task_id = self.links[aggregate.plan_id]
        self._s.execute(
            insert(mri_plans).values(**m.mri_to_row(aggregate, pump_id=pump_id, task_id=task_id))
        )

    def _get(self, ident: str) -> MriPlan | None:
        row = (
            self._s.execute(select(mri_plans).where(mri_plans.c.id == ident))
            .mappings()
            .one_or_none()
        )
        return m.mri_from_row(row) if row else None

    def _stored_link(self, plan_id: str) -> tuple[str, str | None] | None:
        row = self._s.execute(
            select(mri_plans.c.pump_id, mri_plans.c.task_id).where(mri_plans.c.id == plan_id)
        ).one_or_none()
        return None if row is None else (str(row[0]), None if row[1] is None else str(row[1]))

    def _update(self, aggregate: MriPlan, *, expected_version: int) -> bool:
        link = self._link(aggregate.plan_id)
        if link is None:
            return False
        values = m.mri_to_row(aggregate, pump_id=link[0], task_id=link[1])
        return _versioned(self._s, mri_plans, aggregate.plan_id, expected_version, values)
