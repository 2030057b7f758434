"""The demo clinic's two care teams (SR-21): every demo clinician sees patients, and a few
patients are out of the nurse's and the first physician's reach, to show break-the-glass.

* "Intrathecal team": physician, physician2 and nurse — most patients, and the portal patient;
* "Spine liaison": physician2 only — every eighth patient (by id).
"""

from __future__ import annotations

from collections.abc import Sequence

from thecal.services.care_teams import (
    AddTeamMember,
    AssignPatientsTeam,
    CreateCareTeam,
    add_team_member,
    assign_patients_team,
    create_care_team,
)
from thecal.services.demo.clinic import DemoClinic
from thecal.services.demo.context import Staff

__all__ = ["DEMO_TEAMS", "seed_care_teams"]

DEMO_TEAMS = ("Intrathecal team", "Spine liaison")
LIAISON_EVERY = 8


def seed_care_teams(
    clinic: DemoClinic, staff: Staff, patient_ids: Sequence[str], portal: str
) -> None:
    """Make the two teams, put the clinicians on them and every patient on one."""
    run = clinic.run
    admin = staff.administrator
    main, liaison = (
        run(create_care_team, CreateCareTeam(actor=admin, name=name)) for name in DEMO_TEAMS
    )
    for username in ("physician", "physician2", "nurse"):
        run(add_team_member, AddTeamMember(actor=admin, team=main.id, username=username))
    run(add_team_member, AddTeamMember(actor=admin, team=liaison.id, username="physician2"))
    ordered = sorted(p for p in patient_ids if p != portal)
    spine = tuple(p for i, p in enumerate(ordered) if i % LIAISON_EVERY == LIAISON_EVERY - 1)
    rest = tuple(p for p in [portal, *ordered] if p not in set(spine))
    run(assign_patients_team, AssignPatientsTeam(actor=admin, patient_ids=rest, team=main.id))
    run(assign_patients_team, AssignPatientsTeam(actor=admin, patient_ids=spine, team=liaison.id))
