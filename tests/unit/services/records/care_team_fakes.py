"""An in-memory care-team repository for the fake unit of work (no team: nothing is scoped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from thecal.domain.care_teams import BreakGlass, CareReach, CareTeam
from thecal.services.repositories.care_teams import CareTeamRepository


@dataclass
class CareTeamData:
    teams: dict[str, CareTeam] = field(default_factory=dict)
    members: set[tuple[str, str]] = field(default_factory=set)  # (team, user)
    patients: dict[str, str] = field(default_factory=dict)  # patient → team
    accesses: list[BreakGlass] = field(default_factory=list)


class FakeCareTeams(CareTeamRepository):
    def __init__(self, data: CareTeamData, pump_patients: Callable[[], Iterable[str]]) -> None:
        self.d = data
        self._pump_patients = pump_patients  # the patients of the active pumps

    def add_team(self, team: CareTeam) -> None:
        self.d.teams[team.id] = team

    def get_team(self, team_id: str) -> CareTeam | None:
        return self.d.teams.get(team_id)

    def get_team_by_name(self, name: str) -> CareTeam | None:
        return next((t for t in self.d.teams.values() if t.name == name), None)

    def teams(self) -> Sequence[CareTeam]:
        return sorted(self.d.teams.values(), key=lambda t: t.name)

    def members(self, team_id: str) -> Sequence[str]:
        return sorted(u for t, u in self.d.members if t == team_id)

    def add_member(self, team_id: str, user_id: str) -> bool:
        if (team_id, user_id) in self.d.members:
            return False
        self.d.members.add((team_id, user_id))
        return True

    def remove_member(self, team_id: str, user_id: str) -> bool:
        if (team_id, user_id) not in self.d.members:
            return False
        self.d.members.discard((team_id, user_id))
        return True

    def team_of(self, patient_id: str) -> str | None:
        return self.d.patients.get(patient_id)

    def assign_patient(self, patient_id: str, team_id: str) -> None:
        self.d.patients[patient_id] = team_id

    def unassign_patient(self, patient_id: str) -> bool:
        return self.d.patients.pop(patient_id, None) is not None

    def patient_count(self, team_id: str) -> int:
        return sum(1 for t in self.d.patients.values() if t == team_id)

    def reach_of(self, user_id: str, at: dt.datetime) -> CareReach | None:
        if not self.d.teams:
            return None
        teams = {t for t, u in self.d.members if u == user_id}
        patients = {p for p, t in self.d.patients.items() if t in teams}
        opened = {a.patient_id for a in self.d.accesses if a.user_id == user_id and a.is_open(at)}
        return CareReach.of(teams, patients, opened)

    def pharmacy_reach(self) -> CareReach:
        return CareReach.refills(self._pump_patients())

    def add_break_glass(self, access: BreakGlass) -> None:
        self.d.accesses.append(access)

    def break_glass_for(self, user_id: str) -> Sequence[BreakGlass]:
        return sorted(
            (a for a in self.d.accesses if a.user_id == user_id),
            key=lambda a: a.opened_at,
            reverse=True,
        )
