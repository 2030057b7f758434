"""The trial repository, with the trial's observations.

Observations are append-only: an update inserts the time points beyond those already stored
(``seq`` numbers them from 1), so a stored observation is never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.findings import findings_from_json
from thecal.adapters.sql.mappers.trials import observation_to_row, trial_from_rows, trial_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.trials import trial_observations, trials
from thecal.domain.program_change import FindingSummary
from thecal.domain.trial import Trial
from thecal.services.repositories.trials import TrialRepository

__all__ = [
    "SqlAlchemyTrialRepository",
]


class SqlAlchemyTrialRepository(TrialRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Trial) -> None:
        findings = self.pending_findings.pop(aggregate.trial_id, ())
        self._s.execute(insert(trials).values(**trial_to_row(aggregate, findings=findings)))
        self._append_observations(aggregate, stored=0)

    def _load(self, rows: Sequence[Any]) -> list[Trial]:
        found: list[Trial] = []
        for row in rows:
            observations = self._s.execute(
                select(trial_observations)
                .where(trial_observations.c.trial_id == row["id"])
                .order_by(trial_observations.c.seq)
            ).mappings()
            found.append(trial_from_rows(row, list(observations)))
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
        values = trial_to_row(aggregate, findings=None)
        if not versioned_update(self._s, trials, aggregate.trial_id, expected_version, values):
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
                    observation_to_row(trial.trial_id, stored + i, o)
                    for i, o in enumerate(fresh, start=1)
                ],
            )
