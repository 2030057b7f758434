"""The care-team repository (SQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.tables.care_teams import (
    break_glass_accesses,
    care_team_members,
    care_team_patients,
    care_teams,
)
from thecal.adapters.sql.tables.pumps import pumps
from thecal.domain.care_teams import BreakGlass, CareReach, CareTeam
from thecal.services.pump_record import PumpState
from thecal.services.repositories.care_teams import CareTeamRepository

__all__ = ["SqlAlchemyCareTeamRepository"]


def _team(row: Any) -> CareTeam:
    return CareTeam(id=row.id, name=row.name, created_at=row.created_at)


def _access(row: Any) -> BreakGlass:
    return BreakGlass(
        id=row.id,
        user_id=row.user_id,
        patient_id=row.patient_id,
        reason=row.reason,
        opened_at=row.opened_at,
        expires_at=row.expires_at,
    )


class SqlAlchemyCareTeamRepository(CareTeamRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add_team(self, team: CareTeam) -> None:
        self._s.execute(
            insert(care_teams).values(id=team.id, name=team.name, created_at=team.created_at)
        )

    def get_team(self, team_id: str) -> CareTeam | None:
        row = self._s.execute(select(care_teams).where(care_teams.c.id == team_id)).first()
        return _team(row) if row else None

    def get_team_by_name(self, name: str) -> CareTeam | None:
        row = self._s.execute(select(care_teams).where(care_teams.c.name == name)).first()
        return _team(row) if row else None

    def teams(self) -> Sequence[CareTeam]:
        rows = self._s.execute(select(care_teams).order_by(care_teams.c.name)).all()
        return [_team(r) for r in rows]

    def members(self, team_id: str) -> Sequence[str]:
        statement = (
            select(care_team_members.c.user_id)
            .where(care_team_members.c.team_id == team_id)
            .order_by(care_team_members.c.user_id)
        )
        return list(self._s.execute(statement).scalars())

    def add_member(self, team_id: str, user_id: str) -> bool:
        if user_id in self.members(team_id):
            return False
        self._s.execute(insert(care_team_members).values(team_id=team_id, user_id=user_id))
        return True

    def remove_member(self, team_id: str, user_id: str) -> bool:
        result = self._s.execute(
            delete(care_team_members).where(
                care_team_members.c.team_id == team_id, care_team_members.c.user_id == user_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def team_of(self, patient_id: str) -> str | None:
        statement = select(care_team_patients.c.team_id).where(
            care_team_patients.c.patient_id == patient_id
        )
        found: str | None = self._s.execute(statement).scalar()
        return found

    def assign_patient(self, patient_id: str, team_id: str) -> None:
        if self.team_of(patient_id) is None:
            self._s.execute(
                insert(care_team_patients).values(patient_id=patient_id, team_id=team_id)
            )
        else:
            self._s.execute(
                update(care_team_patients)
                .where(care_team_patients.c.patient_id == patient_id)
                .values(team_id=team_id)
            )

    def unassign_patient(self, patient_id: str) -> bool:
        result = self._s.execute(
            delete(care_team_patients).where(care_team_patients.c.patient_id == patient_id)
        )
        return bool(getattr(result, "rowcount", 0))

    def patient_count(self, team_id: str) -> int:
        statement = (
            select(func.count())
            .select_from(care_team_patients)
            .where(care_team_patients.c.team_id == team_id)
        )
        return int(self._s.execute(statement).scalar_one())

    def reach_of(self, user_id: str, at: dt.datetime) -> CareReach | None:
        if not self._s.execute(select(exists().select_from(care_teams))).scalar():
            return None
        teams = list(
            self._s.execute(
                select(care_team_members.c.team_id).where(care_team_members.c.user_id == user_id)
            ).scalars()
        )
        patients = (
            list(
                self._s.execute(
                    select(care_team_patients.c.patient_id).where(
                        care_team_patients.c.team_id.in_(teams)
                    )
                ).scalars()
            )
            if teams
            else []
        )
        opened = self._s.execute(
            select(break_glass_accesses.c.patient_id).where(
                break_glass_accesses.c.user_id == user_id,
                break_glass_accesses.c.opened_at <= at,
                break_glass_accesses.c.expires_at > at,
            )
        ).scalars()
        return CareReach.of(teams, patients, opened)

    def pharmacy_reach(self) -> CareReach:
        statement = (
            select(pumps.c.patient_id).where(pumps.c.state == PumpState.ACTIVE.value).distinct()
        )
        return CareReach.refills(self._s.execute(statement).scalars())

    def add_break_glass(self, access: BreakGlass) -> None:
        self._s.execute(
            insert(break_glass_accesses).values(
                id=access.id,
                user_id=access.user_id,
                patient_id=access.patient_id,
                reason=access.reason,
                opened_at=access.opened_at,
                expires_at=access.expires_at,
            )
        )

    def break_glass_for(self, user_id: str) -> Sequence[BreakGlass]:
        statement = (
            select(break_glass_accesses)
            .where(break_glass_accesses.c.user_id == user_id)
            .order_by(break_glass_accesses.c.opened_at.desc())
        )
        return [_access(r) for r in self._s.execute(statement).all()]
