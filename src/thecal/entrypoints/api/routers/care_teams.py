"""Care teams (administrators) and break-the-glass (physicians and nurses), SR-21."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from thecal.domain.units import Duration
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.schemas.care_teams import (
    BreakGlassCreate,
    BreakGlassPublic,
    BreakGlassReview,
    CareTeamCreate,
    CareTeamMember,
    CareTeamMemberAdd,
    CareTeamPublic,
    CareTeamsPublic,
    PatientTeamSet,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.care_teams import (
    AddTeamMember,
    AssignPatientTeam,
    BreakTheGlass,
    CareTeamSummary,
    CreateCareTeam,
    ListCareTeams,
    RemoveTeamMember,
    ReviewBreakGlass,
    UnassignPatientTeam,
    add_team_member,
    assign_patient_team,
    break_glass,
    create_care_team,
    list_care_teams,
    remove_team_member,
    review_break_glass,
    unassign_patient_team,
)

__all__ = ["router"]

router = APIRouter(tags=["care teams"])

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Username = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f/]+$")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}


def _public(summary: CareTeamSummary) -> CareTeamPublic:
    return CareTeamPublic(
        id=summary.team.id,
        name=summary.team.name,
        members=[CareTeamMember(username=u, display_name=n) for u, n in summary.members],
        patients=summary.patients,
    )


def _summary_of(thecal: ThecalDep, actor: CurrentActor, team_id: str) -> CareTeamPublic:
    found = thecal.run(list_care_teams, ListCareTeams(actor=actor))
    return _public(next(s for s in found if s.team.id == team_id))


@router.get("/care-teams", response_model=CareTeamsPublic, summary="Care teams (administrators)")
def list_teams(actor: CurrentActor, thecal: ThecalDep) -> CareTeamsPublic:
    found = thecal.run(list_care_teams, ListCareTeams(actor=actor))
    return CareTeamsPublic(items=[_public(s) for s in found])


@router.post(
    "/care-teams",
    response_model=CareTeamPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a care team (the first one scopes every clinician to their teams)",
)
def create_team(body: CareTeamCreate, actor: CurrentActor, thecal: ThecalDep) -> CareTeamPublic:
    team = thecal.run(create_care_team, CreateCareTeam(actor=actor, name=body.name))
    return _summary_of(thecal, actor, team.id)


@router.post(
    "/care-teams/{team_id}/members",
    response_model=CareTeamPublic,
    responses=_NOT_FOUND,
    summary="Put a physician or nurse on the team",
)
def add_member(
    team_id: Ident, body: CareTeamMemberAdd, actor: CurrentActor, thecal: ThecalDep
) -> CareTeamPublic:
    team = thecal.run(
        add_team_member, AddTeamMember(actor=actor, team=team_id, username=body.username)
    )
    return _summary_of(thecal, actor, team.id)


@router.delete(
    "/care-teams/{team_id}/members/{username}",
    response_model=CareTeamPublic,
    responses=_NOT_FOUND,
    summary="Take a clinician off the team (its patients leave their reach at once)",
)
def remove_member(
    team_id: Ident, username: Username, actor: CurrentActor, thecal: ThecalDep
) -> CareTeamPublic:
    team = thecal.run(
        remove_team_member, RemoveTeamMember(actor=actor, team=team_id, username=username)
    )
    return _summary_of(thecal, actor, team.id)


@router.put(
    "/patients/{patient_id}/care-team",
    response_model=CareTeamPublic,
    responses=_NOT_FOUND,
    summary="Put the patient on a care team (one team per patient)",
)
def set_patient_team(
    patient_id: Ident, body: PatientTeamSet, actor: CurrentActor, thecal: ThecalDep
) -> CareTeamPublic:
    team = thecal.run(
        assign_patient_team, AssignPatientTeam(actor=actor, patient_id=patient_id, team=body.team)
    )
    return _summary_of(thecal, actor, team.id)


@router.delete(
    "/patients/{patient_id}/care-team",
    response_model=CareTeamPublic,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
    summary="Take the patient off their care team (no clinician reaches them but by break-glass)",
)
def unset_patient_team(patient_id: Ident, actor: CurrentActor, thecal: ThecalDep) -> CareTeamPublic:
    team = thecal.run(
        unassign_patient_team, UnassignPatientTeam(actor=actor, patient_id=patient_id)
    )
    return _summary_of(thecal, actor, team.id)


@router.post(
    "/patients/{patient_id}/break-glass",
    response_model=BreakGlassPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
    summary="Break the glass: open a patient outside your care teams, with a reason, for hours",
)
def open_break_glass(
    patient_id: Ident, body: BreakGlassCreate, actor: CurrentActor, thecal: ThecalDep
) -> BreakGlassPublic:
    opened = thecal.run(
        break_glass,
        BreakTheGlass(
            actor=actor,
            patient_id=patient_id,
            reason=body.reason,
            duration=Duration.hours(body.hours),
        ),
    )
    access = opened.access
    return BreakGlassPublic(
        id=access.id,
        patient_id=access.patient_id,
        reason=access.reason,
        opened_at=access.opened_at,
        expires_at=access.expires_at,
        review_task_id=opened.task_id,
    )


@router.post(
    "/break-glass-reviews/{review_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="Close a break-glass alert with a note (administrators)",
)
def review(
    review_id: Ident, body: BreakGlassReview, actor: CurrentActor, thecal: ThecalDep
) -> None:
    thecal.run(review_break_glass, ReviewBreakGlass(actor=actor, task_id=review_id, note=body.note))
