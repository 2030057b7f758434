"""Care teams and break-the-glass (SR-21, issue 15 §3): each function one audited transaction.

An administrator creates teams, puts physicians and nurses on them and each patient on one team
(:func:`create_care_team`, :func:`add_team_member`, :func:`remove_team_member`,
:func:`assign_patient_team`, :func:`list_care_teams`). The policy itself is
:mod:`thecal.domain.authorization` (scope ``TEAM``) over the reach the edge resolves for every
request (``CareTeamRepository.reach_of``): nothing here re-checks it per record.

:func:`break_glass` opens one patient outside the clinician's teams for a limited time with a
typed reason: the access is stored, audited (``patient.break_glass``) and an urgent
``break-glass-review`` task goes to the administrators' worklist; an administrator closes it with
a note (:func:`review_break_glass`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.care_teams import (
    BREAK_GLASS_DEFAULT,
    CARE_TEAM_ROLES,
    BreakGlass,
    CareTeam,
    CareTeamInvalid,
    CareTeamNotFound,
)
from thecal.domain.errors import NotFound
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.time_text import timespan_text
from thecal.domain.units import Duration
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.repositories.patients import PatientQuery
from thecal.services.repositories.tasks import StoredTask
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "AddTeamMember",
    "AssignPatientTeam",
    "AssignPatientsTeam",
    "BreakGlassOpened",
    "BreakTheGlass",
    "CareTeamSummary",
    "CreateCareTeam",
    "FindOutsideTeams",
    "FindTeamPatients",
    "ListCareTeams",
    "RemoveTeamMember",
    "ReviewBreakGlass",
    "TeamPatient",
    "UnassignPatientTeam",
    "add_team_member",
    "assign_patient_team",
    "assign_patients_team",
    "break_glass",
    "create_care_team",
    "find_outside_teams",
    "find_team_patients",
    "list_care_teams",
    "remove_team_member",
    "review_break_glass",
    "unassign_patient_team",
]

_TEAMS = Subject.collection("care teams")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCareTeam:
    actor: Actor
    name: str
    team_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddTeamMember:
    actor: Actor
    team: str  # the team's id or name
    username: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveTeamMember:
    actor: Actor
    team: str
    username: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignPatientTeam:
    actor: Actor
    patient_id: str
    team: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UnassignPatientTeam:
    actor: Actor
    patient_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignPatientsTeam:
    """Many patients onto one team in one transaction (setting a clinic up, the demo)."""

    actor: Actor
    patient_ids: tuple[str, ...]
    team: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCareTeams:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class CareTeamSummary:
    team: CareTeam
    members: tuple[tuple[str, str], ...]  # (username, display name), by username
    patients: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FindTeamPatients:
    """Patients to put on a team, found by exact MRN or family-name prefix (the admin pages)."""

    actor: Actor
    text: str
    limit: int = 25


@dataclass(frozen=True, slots=True, kw_only=True)
class FindOutsideTeams:
    """A clinician's exact MRN that their own search did not find: is it a patient of another
    team (whose glass they may break)?"""

    actor: Actor
    mrn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamPatient:
    """What an administrator needs to place a patient: name, MRN and the current team."""

    patient_id: str
    name: str
    mrn: str
    team: str | None  # the current team's name; None on no team


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakTheGlass:
    actor: Actor
    patient_id: str
    reason: str
    duration: Duration = BREAK_GLASS_DEFAULT


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakGlassOpened:
    access: BreakGlass
    task_id: str  # the administrators' review task


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewBreakGlass:
    actor: Actor
    task_id: str
    note: str


def _team(uow: AbstractUnitOfWork, ref: str) -> CareTeam:
    found = uow.care_teams.get_team(ref) or uow.care_teams.get_team_by_name(ref.strip())
    if found is None:
        raise CareTeamNotFound(ident=ref)
    return found


def create_care_team(cmd: CreateCareTeam, *, uow: AbstractUnitOfWork, clock: Clock) -> CareTeam:
    """A new, empty team. The first team turns care-team scoping on for the whole clinic.

    Raises:
        AccessDenied; CareTeamInvalid (a blank or taken name).
    """
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    now = clock.now()
    team = CareTeam(id=cmd.team_id or str(uuid.uuid4()), name=cmd.name, created_at=now)
    with uow:
        if uow.care_teams.get_team_by_name(team.name) is not None:
            raise CareTeamInvalid(where="name", detail=f"{team.name!r} is taken")
        uow.care_teams.add_team(team)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CARE_TEAM_MANAGE,
            subject=Subject(kind="care team", ident=team.id),
            at=now,
            details={"created": team.name},
        )
        uow.commit()
    return team


def _member_change(
    cmd: AddTeamMember | RemoveTeamMember, *, uow: AbstractUnitOfWork, clock: Clock, add: bool
) -> CareTeam:
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    now = clock.now()
    with uow:
        team = _team(uow, cmd.team)
        user = uow.users.get_by_username(cmd.username.strip())
        if user is None:
            raise NotFound(kind="user", ident=cmd.username)
        if add and user.role not in CARE_TEAM_ROLES:
            raise CareTeamInvalid(
                where="member",
                detail=f"{user.display_name} is a {user.role.value}: only physicians and nurses "
                "are on care teams",
            )
        changed = (
            uow.care_teams.add_member(team.id, user.id)
            if add
            else uow.care_teams.remove_member(team.id, user.id)
        )
        if changed:
            uow.audit.record(
                actor=cmd.actor,
                action=Action.CARE_TEAM_MANAGE,
                subject=Subject(kind="care team", ident=team.id),
                at=now,
                details={"added" if add else "removed": user.id, "team": team.name},
            )
            uow.commit()
    return team


def add_team_member(cmd: AddTeamMember, *, uow: AbstractUnitOfWork, clock: Clock) -> CareTeam:
    """Put a physician or nurse on a team (nothing changes if they are on it already)."""
    return _member_change(cmd, uow=uow, clock=clock, add=True)


def remove_team_member(cmd: RemoveTeamMember, *, uow: AbstractUnitOfWork, clock: Clock) -> CareTeam:
    """Take a clinician off a team: its patients are out of their reach from the next request."""
    return _member_change(cmd, uow=uow, clock=clock, add=False)


def assign_patient_team(
    cmd: AssignPatientTeam, *, uow: AbstractUnitOfWork, clock: Clock
) -> CareTeam:
    """Put a patient on a team (a patient belongs to one team; this moves them)."""
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    now = clock.now()
    with uow:
        team = _team(uow, cmd.team)
        if uow.patients.get(cmd.patient_id) is None:
            raise NotFound(kind="patient", ident=cmd.patient_id)
        before = uow.care_teams.team_of(cmd.patient_id)
        uow.care_teams.assign_patient(cmd.patient_id, team.id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CARE_TEAM_MANAGE,
            subject=Subject(kind="care team", ident=team.id),
            at=now,
            details={"patient_moved_from": before, "team": team.name},
        )
        uow.commit()
    return team


def unassign_patient_team(
    cmd: UnassignPatientTeam, *, uow: AbstractUnitOfWork, clock: Clock
) -> CareTeam:
    """Take a patient off their team: from the next request no clinician reaches them but by
    breaking the glass, until an administrator puts them on a team again. Returns the team left.

    Raises:
        AccessDenied; NotFound (no such patient); CareTeamInvalid (the patient is on no team).
    """
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    now = clock.now()
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise NotFound(kind="patient", ident=cmd.patient_id)
        before = uow.care_teams.team_of(cmd.patient_id)
        team = uow.care_teams.get_team(before) if before is not None else None
        if team is None:
            raise CareTeamInvalid(where="patient", detail="the patient is on no care team")
        uow.care_teams.unassign_patient(cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CARE_TEAM_MANAGE,
            subject=Subject(kind="care team", ident=team.id),
            at=now,
            details={"patient_unassigned": cmd.patient_id, "team": team.name},
        )
        uow.commit()
    return team


def assign_patients_team(
    cmd: AssignPatientsTeam, *, uow: AbstractUnitOfWork, clock: Clock
) -> CareTeam:
    """Put many patients on a team at once (one audit entry naming them)."""
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    now = clock.now()
    with uow:
        team = _team(uow, cmd.team)
        for patient_id in cmd.patient_ids:
            uow.care_teams.assign_patient(patient_id, team.id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CARE_TEAM_MANAGE,
            subject=Subject(kind="care team", ident=team.id),
            at=now,
            details={"patients_assigned": list(cmd.patient_ids), "team": team.name},
        )
        uow.commit()
    return team


def list_care_teams(
    cmd: ListCareTeams, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[CareTeamSummary]:
    """Every team with its clinicians (by name) and its number of patients (no patient named)."""
    del clock
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    found: list[CareTeamSummary] = []
    with uow.reading():
        for team in uow.care_teams.teams():
            people = [uow.users.get(i) for i in uow.care_teams.members(team.id)]
            members = tuple(sorted((u.username, u.display_name) for u in people if u is not None))
            found.append(
                CareTeamSummary(
                    team=team, members=members, patients=uow.care_teams.patient_count(team.id)
                )
            )
    return found


def find_team_patients(
    cmd: FindTeamPatients, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[TeamPatient]:
    """Patients by exact MRN, else by family-name prefix, with their team: the name and MRN only
    (an administrator sees no record), the lookup and the ids returned audited.

    Raises:
        AccessDenied; CareTeamInvalid (no text to look for).
    """
    authorize(cmd.actor, Action.CARE_TEAM_MANAGE, _TEAMS)
    text = " ".join(cmd.text.split())
    if not 1 <= len(text) <= 100:
        raise CareTeamInvalid(where="patient", detail="type a family name or an MRN")
    with uow:
        found = list(uow.patients.search(PatientQuery(mrn=text, limit=cmd.limit)))
        if not found:
            found = list(
                uow.patients.search(PatientQuery(family_name_prefix=text, limit=cmd.limit))
            )
        names = {team.id: team.name for team in uow.care_teams.teams()}
        placed = [
            TeamPatient(
                patient_id=p.id,
                name=p.display_name,
                mrn=p.mrn,
                team=names.get(uow.care_teams.team_of(p.id) or ""),
            )
            for p in found
        ]
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CARE_TEAM_MANAGE,
            subject=_TEAMS,
            at=clock.now(),
            details={"patients_looked_up": text, "returned": [p.patient_id for p in placed]},
        )
        uow.commit()
    return placed


def find_outside_teams(
    cmd: FindOutsideTeams, *, uow: AbstractUnitOfWork, clock: Clock
) -> str | None:
    """The id of the patient with exactly this MRN when they are outside the clinician's reach
    (nothing else of the record: the clinician breaks the glass to see it), else None. Only for
    those who may break the glass; the lookup is audited with what it found.

    Raises:
        AccessDenied (not a physician or nurse).
    """
    authorize(cmd.actor, Action.BREAK_GLASS, Subject.collection("patients"))
    reach, mrn = cmd.actor.reach, cmd.mrn.strip()
    if reach is None or not mrn:
        return None  # a clinic without teams: the search itself found every patient
    with uow:
        patient = uow.patients.get_by_mrn(mrn)
        found = patient.id if patient is not None and not reach.covers(patient.id) else None
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_SEARCH,
            subject=Subject.collection("patients"),
            at=clock.now(),
            details={"outside_teams_mrn": mrn, "returned": [found] if found else []},
        )
        uow.commit()
    return found


def break_glass(cmd: BreakTheGlass, *, uow: AbstractUnitOfWork, clock: Clock) -> BreakGlassOpened:
    """Open one patient outside the clinician's teams for ``duration`` with a typed reason.

    The access starts now and ends by itself; it is audited and an urgent review task goes to the
    administrators' worklist naming who, which patient, why and until when.

    Raises:
        AccessDenied (not a physician or nurse); NotFound (no such patient);
        BreakGlassInvalid (a reason too short, a duration not in (0, 12 h]).
    """
    authorize(cmd.actor, Action.BREAK_GLASS, Subject.patient(cmd.patient_id))
    now = clock.now()
    access = BreakGlass.open(
        ident=str(uuid.uuid4()),
        user_id=cmd.actor.user_id,
        patient_id=cmd.patient_id,
        reason=cmd.reason,
        at=now,
        duration=cmd.duration,
    )
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise NotFound(kind="patient", ident=cmd.patient_id)
        user = uow.users.get(cmd.actor.user_id)
        who = user.display_name if user is not None else cmd.actor.role.value
        uow.care_teams.add_break_glass(access)
        span = timespan_text(access.expires_at - access.opened_at)
        task = Task(
            kind=TaskKind.BREAK_GLASS_REVIEW,
            subject=cmd.patient_id,
            origin=access.id,
            due=now,
            reason=(
                f"{who} broke the glass for {span} (until "
                f"{access.expires_at:%Y-%m-%d %H:%M} UTC): {access.reason}"
            ),
            source="SR-21",
            priority=TaskPriority.URGENT,
        )
        stored = StoredTask(id=str(uuid.uuid4()), task=task, created_at=now)
        uow.tasks.add(stored)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.BREAK_GLASS,
            subject=Subject.patient(cmd.patient_id),
            at=now,
            details={
                "access_id": access.id,
                "reason": access.reason,
                "until": access.expires_at.isoformat(),
                "review_task": stored.id,
            },
        )
        uow.commit()
    return BreakGlassOpened(access=access, task_id=stored.id)


def review_break_glass(
    cmd: ReviewBreakGlass, *, uow: AbstractUnitOfWork, clock: Clock
) -> StoredTask:
    """An administrator closes a break-glass alert with a note (what was checked).

    Raises:
        AccessDenied; NotFound (no such break-glass review task); TaskAlreadyDone.
    """
    authorize_function(cmd.actor, Action.BREAK_GLASS_REVIEW)
    now = clock.now()
    note = " ".join(cmd.note.split())
    if not 1 <= len(note) <= 500:
        raise CareTeamInvalid(where="review note", detail="must be 1 to 500 characters")
    with uow:
        stored = uow.tasks.get(cmd.task_id)
        if stored is None or stored.task.kind is not TaskKind.BREAK_GLASS_REVIEW:
            raise NotFound(kind="break-glass review", ident=cmd.task_id)
        subject = Subject.patient(stored.task.subject)
        authorize(cmd.actor, Action.BREAK_GLASS_REVIEW, subject)
        if stored.completion is not None:
            raise stored.completion.refuse_again(stored.id)
        stored.complete(user_id=cmd.actor.user_id, at=now, note=note)
        uow.tasks.update(stored)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.BREAK_GLASS_REVIEW,
            subject=subject,
            at=now,
            details={"task_id": stored.id, "access_id": stored.task.origin, "note": note},
        )
        uow.commit()
    return stored
