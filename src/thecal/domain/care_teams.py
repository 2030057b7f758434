"""Care teams and "break the glass" (SR-21, issue 15 §3).

A patient belongs to one care team; a clinician (physician or nurse) belongs to any number of
teams and sees and acts on the patients of their teams only. What one clinician may reach is data
handed to the authorization policy (:class:`CareReach`, on the :class:`~thecal.domain.users.Actor`,
resolved once per request at the edge from the stored memberships): the policy
(:mod:`thecal.domain.authorization`, scope ``TEAM``) checks the subject's patient against it in
one place, and refuses with ``OutsideCareTeam`` (THC-TEAM-004).

A clinician who must treat a patient outside their teams (cover, an emergency) *breaks the glass*:
a typed reason and a time limit open that one patient to them (:class:`BreakGlass`), the opening
is audited and an alert task goes to the administrators' worklist for review. The time limit is a
clinic policy value, 4 hours by default and at most 12 (no retrieved source gives a number; a
clinic shift), never silently extended: after it the patient is closed again.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.units import Duration

__all__ = [
    "BREAK_GLASS_DEFAULT",
    "BREAK_GLASS_LONGEST",
    "BREAK_GLASS_REASON_MIN",
    "CARE_TEAM_ROLES",
    "BreakGlass",
    "BreakGlassInvalid",
    "CareReach",
    "CareTeam",
    "CareTeamInvalid",
    "CareTeamNotFound",
]

#: The roles whose access is scoped by care team (physicians and nurses: SR-21). Pharmacists
#: verify admixtures for the whole clinic and see the refills they verify (the patients with a
#: pump in the clinic's care: :meth:`CareReach.refills`); admins see no record.
CARE_TEAM_ROLES = frozenset({"physician", "nurse"})

#: How long a broken glass stays open unless the clinician asks for less (clinic policy).
BREAK_GLASS_DEFAULT = Duration.hours(4)
#: The longest a broken glass may stay open (clinic policy: one shift).
BREAK_GLASS_LONGEST = Duration.hours(12)
#: The shortest reason accepted: a sentence a reviewer can check, not "x" (clinic policy).
BREAK_GLASS_REASON_MIN = 10


class CareTeamNotFound(NotFound):
    code = "THC-TEAM-001"
    template = "care team {ident} not found"


class CareTeamInvalid(RequestInvalid):
    code = "THC-TEAM-002"
    template = "invalid care team {where}: {detail}"


class BreakGlassInvalid(RequestInvalid):
    code = "THC-TEAM-003"
    template = "break the glass: {where} {detail}; nothing was opened"


@dataclass(frozen=True, slots=True, kw_only=True)
class CareTeam:
    id: str
    name: str
    created_at: dt.datetime

    def __post_init__(self) -> None:
        name = " ".join(unicodedata.normalize("NFKC", self.name).split())
        if not 1 <= len(name) <= 100:
            raise CareTeamInvalid(where="name", detail="must be 1 to 100 characters")
        object.__setattr__(self, "name", name)


@dataclass(frozen=True, slots=True)
class CareReach:
    """The patients one clinician may reach now: their teams' and those opened by break-glass."""

    teams: frozenset[str] = frozenset()  # the clinician's care teams (ids)
    patients: frozenset[str] = frozenset()  # the patients of those teams
    opened: frozenset[str] = frozenset()  # by a break-glass access still open

    @classmethod
    def of(
        cls, teams: Iterable[str], team_patients: Iterable[str], opened: Iterable[str] = ()
    ) -> CareReach:
        return cls(
            teams=frozenset(teams), patients=frozenset(team_patients), opened=frozenset(opened)
        )

    @classmethod
    def refills(cls, pump_patients: Iterable[str]) -> CareReach:
        """A pharmacist's reach: the patients whose pump refills the pharmacy verifies (a pump
        in the clinic's care), on no team and never opened by break-glass."""
        return cls(patients=frozenset(pump_patients))

    def covers(self, patient_id: str) -> bool:
        return patient_id in self.patients or patient_id in self.opened

    @property
    def all(self) -> frozenset[str]:
        return self.patients | self.opened


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakGlass:
    """One clinician's time-limited access to one patient outside their teams, with its reason."""

    id: str
    user_id: str
    patient_id: str
    reason: str
    opened_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def open(
        cls,
        *,
        ident: str,
        user_id: str,
        patient_id: str,
        reason: str,
        at: dt.datetime,
        duration: Duration = BREAK_GLASS_DEFAULT,
    ) -> BreakGlass:
        """Open the glass for ``duration`` (≤ :data:`BREAK_GLASS_LONGEST`), never longer.

        Raises:
            BreakGlassInvalid: a reason shorter than :data:`BREAK_GLASS_REASON_MIN` characters,
                or a duration that is not positive or longer than the longest.
        """
        text = " ".join(unicodedata.normalize("NFKC", reason).split())
        if len(text) < BREAK_GLASS_REASON_MIN:
            raise BreakGlassInvalid(
                where="reason",
                detail=f"must say why, in at least {BREAK_GLASS_REASON_MIN} characters",
            )
        if len(text) > 500:
            raise BreakGlassInvalid(where="reason", detail="must be at most 500 characters")
        span = duration.to_timedelta()
        if span <= dt.timedelta(0) or span > BREAK_GLASS_LONGEST.to_timedelta():
            raise BreakGlassInvalid(
                where="duration",
                detail=f"must be more than 0 and at most {BREAK_GLASS_LONGEST}",
            )
        return cls(
            id=ident,
            user_id=user_id,
            patient_id=patient_id,
            reason=text,
            opened_at=at,
            expires_at=at + span,
        )

    def is_open(self, at: dt.datetime) -> bool:
        return self.opened_at <= at < self.expires_at
