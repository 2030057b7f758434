"""Care-team pages (administrators, SR-21): the teams, their clinicians and their patients.

``/care-teams`` lists every team (its clinicians by name and role, its number of patients) with
the forms that change them: create a team, put a physician or nurse on a team or take them off,
and find a patient by name or MRN to put on a team (a patient belongs to one team; assigning
moves them) or take off their team. Every change runs ``services/care_teams.py`` (which checks the policy and audits)
and answers with a redirect back to the page; a refused one comes back (422) with what was typed
and the message next to its field. The break-the-glass form clinicians meet on a refused
patient is ``pages_break_glass.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.care_teams import CARE_TEAM_ROLES, CareTeamNotFound
from thecal.domain.errors import InvalidInput, NotFound
from thecal.entrypoints.web.form_fields import FormRefusal
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.accounts import ListUsers
from thecal.services.care_teams import (
    AddTeamMember,
    AssignPatientTeam,
    CreateCareTeam,
    FindTeamPatients,
    ListCareTeams,
    RemoveTeamMember,
    TeamPatient,
    UnassignPatientTeam,
    add_team_member,
    assign_patient_team,
    create_care_team,
    find_team_patients,
    list_care_teams,
    remove_team_member,
    unassign_patient_team,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Username = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f/]+$")]
PatientText = Annotated[str, Query(max_length=100)]

#: The page's form fields, one name per field across its forms (a refusal names its field).
_FIELDS = ("name", "member_team", "username", "patient_team", "patient_id", "patient")


def _page(
    request: Request,
    *,
    patient: str = "",
    typed: Mapping[str, str] | None = None,
    refusal: FormRefusal | None = None,
) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    teams = thecal.run(list_care_teams, ListCareTeams(actor=auth.actor))
    users = thecal.run(thecal.accounts.list_users, ListUsers(actor=auth.actor, limit=200))
    roles = {u.username: u.role.value for u in users}
    clinicians = sorted(
        (u for u in users if u.role in CARE_TEAM_ROLES and u.active),
        key=lambda u: (u.display_name.casefold(), u.username),
    )
    found: list[TeamPatient] | None = None
    text = patient.strip()
    if text:
        try:
            found = list(
                thecal.run(find_team_patients, FindTeamPatients(actor=auth.actor, text=text))
            )
        except InvalidInput as refused:
            refusal = refusal or FormRefusal(
                message=refused.message, code=refused.code, field="patient"
            )
    return render(
        request,
        "care_teams.html",
        status_code=200 if refusal is None else 422,
        teams=teams,
        roles=roles,
        clinicians=clinicians,
        patient=text,
        found=found,
        form=dict(typed or {}),
        refusal=refusal,
    )


def _back(patient: str = "") -> RedirectResponse:
    query = f"?{urlencode({'patient': patient})}" if patient else ""
    return RedirectResponse(f"/care-teams{query}", status_code=303)


def _choose(field: str) -> FormRefusal:
    """Nothing chosen in a list the form offers."""
    what = "a clinician" if field == "username" else "a team"
    return FormRefusal(message=f"choose {what}", code="THC-INPUT-002", field=field)


def _typed(form: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in form.items() if k in _FIELDS}


@router.get("/care-teams", response_class=HTMLResponse)
def care_teams_page(request: Request, patient: PatientText = "") -> Response:
    return _page(request, patient=patient)


@router.post("/care-teams", response_class=HTMLResponse)
async def care_team_create(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        thecal_of(request).run(
            create_care_team, CreateCareTeam(actor=auth.actor, name=form.get("name", ""))
        )
    except InvalidInput as refused:  # a blank, over-long or taken name
        refusal = FormRefusal(message=refused.message, code=refused.code, field="name")
        return _page(request, typed=_typed(form), refusal=refusal)
    return _back()


@router.post("/care-teams/members", response_class=HTMLResponse)
async def care_team_member_add(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    team, username = form.get("member_team", ""), form.get("username", "")
    if not team or not username:
        field = "member_team" if not team else "username"
        return _page(request, typed=_typed(form), refusal=_choose(field))
    try:
        thecal_of(request).run(
            add_team_member, AddTeamMember(actor=auth.actor, team=team, username=username)
        )
    except (InvalidInput, NotFound) as refused:  # not a clinician, no such user or team
        field = "member_team" if isinstance(refused, CareTeamNotFound) else "username"
        refusal = FormRefusal(message=refused.message, code=refused.code, field=field)
        return _page(request, typed=_typed(form), refusal=refusal)
    return _back()


@router.post("/care-teams/{team_id}/members/{username}/removal", response_class=HTMLResponse)
async def care_team_member_remove(request: Request, team_id: Ident, username: Username) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    thecal_of(request).run(
        remove_team_member, RemoveTeamMember(actor=auth.actor, team=team_id, username=username)
    )
    return _back()


@router.post("/care-teams/patients", response_class=HTMLResponse)
async def care_team_patient_assign(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    team, patient_id = form.get("patient_team", ""), form.get("patient_id", "")
    patient = form.get("patient", "")
    if not team:
        refusal = _choose("patient_team")
        return _page(request, patient=patient, typed=_typed(form), refusal=refusal)
    try:
        thecal_of(request).run(
            assign_patient_team,
            AssignPatientTeam(actor=auth.actor, patient_id=patient_id, team=team),
        )
    except (InvalidInput, NotFound) as refused:
        field = "patient_team" if isinstance(refused, CareTeamNotFound) else "patient_id"
        refusal = FormRefusal(message=refused.message, code=refused.code, field=field)
        return _page(request, patient=patient, typed=_typed(form), refusal=refusal)
    return _back(patient)


@router.post("/care-teams/patients/{patient_id}/removal", response_class=HTMLResponse)
async def care_team_patient_unassign(request: Request, patient_id: Ident) -> Response:
    """Take the patient off their team (then no clinician reaches them but by break-glass)."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    patient = form.get("patient", "")
    try:
        thecal_of(request).run(
            unassign_patient_team, UnassignPatientTeam(actor=auth.actor, patient_id=patient_id)
        )
    except (InvalidInput, NotFound) as refused:  # on no team (a second press), no such patient
        refusal = FormRefusal(message=refused.message, code=refused.code, field="patient_id")
        typed = {"patient_id": patient_id, "patient": patient}
        return _page(request, patient=patient, typed=typed, refusal=refusal)
    return _back(patient)
