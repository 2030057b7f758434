"""The care-team repository port: teams, members, each patient's team, break-glass accesses."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence

from thecal.domain.care_teams import BreakGlass, CareReach, CareTeam

__all__ = ["CareTeamRepository"]


class CareTeamRepository(abc.ABC):
    @abc.abstractmethod
    def add_team(self, team: CareTeam) -> None: ...

    @abc.abstractmethod
    def get_team(self, team_id: str) -> CareTeam | None: ...

    @abc.abstractmethod
    def get_team_by_name(self, name: str) -> CareTeam | None: ...

    @abc.abstractmethod
    def teams(self) -> Sequence[CareTeam]:
        """Every team, by name."""

    @abc.abstractmethod
    def members(self, team_id: str) -> Sequence[str]:
        """The user ids of the team's clinicians."""

    @abc.abstractmethod
    def add_member(self, team_id: str, user_id: str) -> bool:
        """Add a clinician; False if already a member."""

    @abc.abstractmethod
    def remove_member(self, team_id: str, user_id: str) -> bool:
        """Remove a clinician; False if not a member."""

    @abc.abstractmethod
    def team_of(self, patient_id: str) -> str | None: ...

    @abc.abstractmethod
    def assign_patient(self, patient_id: str, team_id: str) -> None:
        """Put the patient on this team (a patient belongs to one team)."""

    @abc.abstractmethod
    def unassign_patient(self, patient_id: str) -> bool:
        """Take the patient off their team; False if they were on none."""

    @abc.abstractmethod
    def patient_count(self, team_id: str) -> int: ...

    @abc.abstractmethod
    def reach_of(self, user_id: str, at: dt.datetime) -> CareReach | None:
        """What the user may reach at ``at``; None when the clinic has no care team at all."""

    @abc.abstractmethod
    def pharmacy_reach(self) -> CareReach:
        """A pharmacist's reach: the patients with a pump in the clinic's care (active)."""

    @abc.abstractmethod
    def add_break_glass(self, access: BreakGlass) -> None: ...

    @abc.abstractmethod
    def break_glass_for(self, user_id: str) -> Sequence[BreakGlass]:
        """The user's break-glass accesses, newest first."""
