"""`thecal teams list|create|add|remove|assign|unassign|break-glass|review` (SR-21, ``services/care_teams.py``).

Administrators manage care teams; a physician or nurse breaks the glass on one patient outside
their teams with a reason, for a few hours. Docs: docs/web.md, "Care teams and break the glass".
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thecal.domain.units import Duration
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.care_teams import (
    AddTeamMember,
    AssignPatientTeam,
    BreakTheGlass,
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

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="Care teams (administrators) and break-the-glass (physicians, nurses).",
)

Team = Annotated[str, typer.Argument(help="The team's name or id.")]
Username = Annotated[str, typer.Argument(help="A physician's or nurse's username.")]


def _teams(thecal: Any, actor: Any, as_json: bool) -> None:
    found = thecal.run(list_care_teams, ListCareTeams(actor=actor))
    payload = {
        "teams": [
            {
                "id": s.team.id,
                "name": s.team.name,
                "members": [{"username": u, "display_name": n} for u, n in s.members],
                "patients": s.patients,
            }
            for s in found
        ]
    }
    lines = [
        f"{s.team.name}: {s.patients} patient(s); "
        + (", ".join(n for _, n in s.members) or "no clinician")
        for s in found
    ] or ["no care team: every clinician reaches every patient"]
    emit(payload, "\n".join(lines), as_json=as_json)


@app.command("list")
def list_(as_user: AsUser, as_json: Json = False) -> None:
    """Every team with its clinicians and its number of patients."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        _teams(thecal, resolve_actor(thecal, as_user), as_json)


@app.command()
def create(as_user: AsUser, name: Annotated[str, typer.Argument()], as_json: Json = False) -> None:
    """Create a team (the first one scopes every clinician to their teams)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        thecal.run(create_care_team, CreateCareTeam(actor=actor, name=name))
        _teams(thecal, actor, as_json)


@app.command()
def add(as_user: AsUser, team: Team, username: Username, as_json: Json = False) -> None:
    """Put a physician or nurse on a team."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        thecal.run(add_team_member, AddTeamMember(actor=actor, team=team, username=username))
        _teams(thecal, actor, as_json)


@app.command()
def remove(as_user: AsUser, team: Team, username: Username, as_json: Json = False) -> None:
    """Take a clinician off a team (its patients leave their reach at once)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        thecal.run(remove_team_member, RemoveTeamMember(actor=actor, team=team, username=username))
        _teams(thecal, actor, as_json)


@app.command()
def assign(
    as_user: AsUser,
    patient_id: Annotated[str, typer.Argument(help="The patient's id.")],
    team: Team,
    as_json: Json = False,
) -> None:
    """Put a patient on a team (one team per patient)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        thecal.run(
            assign_patient_team, AssignPatientTeam(actor=actor, patient_id=patient_id, team=team)
        )
        _teams(thecal, actor, as_json)


@app.command()
def unassign(
    as_user: AsUser,
    patient_id: Annotated[str, typer.Argument(help="The patient's id.")],
    as_json: Json = False,
) -> None:
    """Take a patient off their team (no clinician reaches them but by breaking the glass)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        thecal.run(unassign_patient_team, UnassignPatientTeam(actor=actor, patient_id=patient_id))
        _teams(thecal, actor, as_json)


@app.command("break-glass")
def break_glass_(
    as_user: AsUser,
    patient_id: Annotated[str, typer.Argument(help="The patient's id.")],
    reason: Annotated[str, typer.Option(help="Why (at least 10 characters; a reviewer reads it).")],
    hours: Annotated[int, typer.Option(min=1, max=12, help="How long (clinic policy: 4).")] = 4,
    as_json: Json = False,
) -> None:
    """Open one patient outside your teams for HOURS, audited, with an alert to administrators."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        opened = thecal.run(
            break_glass,
            BreakTheGlass(
                actor=resolve_actor(thecal, as_user),
                patient_id=patient_id,
                reason=reason,
                duration=Duration.hours(hours),
            ),
        )
        access = opened.access
        payload = {
            "id": access.id,
            "patient_id": access.patient_id,
            "reason": access.reason,
            "opened_at": access.opened_at.isoformat(),
            "expires_at": access.expires_at.isoformat(),
            "review_task_id": opened.task_id,
        }
        text = f"the record is open to you until {access.expires_at:%Y-%m-%d %H:%M} UTC"
        emit(payload, text, as_json=as_json)


@app.command()
def review(
    as_user: AsUser,
    task_id: Annotated[str, typer.Argument(help="The break-glass review task's id.")],
    note: Annotated[str, typer.Option(help="What was checked.")],
    as_json: Json = False,
) -> None:
    """Close a break-glass alert with a note (administrators)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        thecal.run(
            review_break_glass,
            ReviewBreakGlass(actor=resolve_actor(thecal, as_user), task_id=task_id, note=note),
        )
        emit({"task_id": task_id, "closed": True}, "the alert is closed", as_json=as_json)
