"""Authorization-matrix part for care teams (SR-21, see matrix_parts), and the team dimension.

Administrators manage teams and review break-glass alerts; physicians and nurses break the glass.
``prepare`` puts every patient of the matrix clinic on the team "Matrix" with the physician and
the nurse (so the rest of the matrix runs on their own team), and makes a second team
"Elsewhere" with two more clinicians, ``physician-other`` and ``nurse-other``: on every object
endpoint they reach nothing (403) but break the glass; on collections they get what their role
gets, narrowed to their team.

Pharmacists see the refills they verify (SR-21): the matrix's own and foreign patients have a pump
in the clinic's care; two more patients on "Matrix" have none (``no_pump``): the team's clinicians
read them, a pharmacist does not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from api_support import Clinic, add_user
from matrix_parts import MatrixPart

from thecal.adapters.read_models.patient_ids import all_patient_ids
from thecal.domain.patient import Sex
from thecal.domain.users import Actor, Role
from thecal.services.care_teams import (
    AddTeamMember,
    AssignPatientTeam,
    BreakTheGlass,
    CreateCareTeam,
    add_team_member,
    assign_patient_team,
    break_glass,
    create_care_team,
)
from thecal.services.patients import RegisterPatient, register_patient

__all__ = ["OTHER_TEAM", "PART", "other_team_grants"]

#: The other team's clinicians (username → the role whose grants they have on collections).
OTHER_TEAM = {"physician-other": "physician", "nurse-other": "nurse"}
_REMOVABLE = "matrix-removable"  # a nurse on no team: removing them changes nothing
_counter = itertools.count(1)
_OPERATOR = Actor(user_id="operator", role=Role.ADMIN)
_OPERATOR_CLINICIAN = Actor(user_id="operator", role=Role.PHYSICIAN)  # registers, unscoped


def _all_patients(clinic: Clinic) -> list[str]:
    return list(all_patient_ids(clinic.thecal.engine))


def _review_task(clinic: Clinic, patient_id: str) -> str:
    opened = clinic.thecal.run(
        break_glass,
        BreakTheGlass(
            actor=Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE),
            patient_id=patient_id,
            reason="matrix: a review task to close",
        ),
    )
    return opened.task_id


def _prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    run = clinic.thecal.run
    matrix = run(create_care_team, CreateCareTeam(actor=_OPERATOR, name="Matrix"))
    elsewhere = run(create_care_team, CreateCareTeam(actor=_OPERATOR, name="Elsewhere"))
    for username in ("physician", "nurse"):
        run(add_team_member, AddTeamMember(actor=_OPERATOR, team=matrix.id, username=username))
    for username, role in OTHER_TEAM.items():
        add_user(clinic, username, Role(role))
        run(add_team_member, AddTeamMember(actor=_OPERATOR, team=elsewhere.id, username=username))
    add_user(clinic, _REMOVABLE, Role.NURSE)
    for patient in _all_patients(clinic):
        run(
            assign_patient_team,
            AssignPatientTeam(actor=_OPERATOR, patient_id=patient, team=matrix.id),
        )
    glass = {  # the patients whose glass the matrix breaks: never the own and foreign ones,
        kind: run(  # whose cells for the other team must stay closed
            register_patient,
            RegisterPatient(
                actor=_OPERATOR_CLINICIAN,
                mrn=f"GLASS-{kind}",
                family_name="Glass",
                given_names="Gil",
                birth_date=dt.date(1961, 2, 3),
                sex=Sex.UNKNOWN,
            ),
        ).id
        for kind in ("own", "foreign")
    }
    no_pump = {  # on the team "Matrix", with no pump: no refill for a pharmacist to verify
        kind: _register(clinic, f"NOPUMP-{kind}") for kind in ("own", "foreign")
    }
    for patient in (*glass.values(), *no_pump.values()):
        run(
            assign_patient_team,
            AssignPatientTeam(actor=_OPERATOR, patient_id=patient, team=matrix.id),
        )
    return {
        "patient_id": glass,  # the break-glass cells' patients
        "no_pump": no_pump,
        "username": {"own": _REMOVABLE, "foreign": _REMOVABLE},
        "team_id": {"own": matrix.id, "foreign": elsewhere.id},
        "review_id": {
            "own": _review_task(clinic, clinic.own_patient),
            "foreign": _review_task(clinic, clinic.foreign_patient),
        },
    }


def _register(clinic: Clinic, mrn: str) -> str:
    return clinic.thecal.run(
        register_patient,
        RegisterPatient(
            actor=_OPERATOR_CLINICIAN,
            mrn=mrn,
            family_name="Pumpless",
            given_names="Pat",
            birth_date=dt.date(1962, 3, 4),
            sex=Sex.UNKNOWN,
        ),
    ).id


def _unassign(world: Any, kind: str) -> tuple[str, str, None]:
    # the break-glass cells' patient, on the team again (a patient leaves it once): whether it is
    # on a team changes no other cell (anyone of the clinicians' roles may break the glass)
    patient = world.ids["patient_id"][kind]
    world.clinic.thecal.run(
        assign_patient_team, AssignPatientTeam(actor=_OPERATOR, patient_id=patient, team="Matrix")
    )
    return "DELETE", f"/api/v1/patients/{patient}/care-team", None


def _review(world: Any, kind: str) -> tuple[str, str, dict[str, Any]]:
    task_id = _review_task(world.clinic, world.patient(kind))  # a review closes once
    world.ids["review_id"][kind] = task_id
    return "POST", f"/api/v1/break-glass-reviews/{task_id}", {"note": "matrix review"}


_ADMIN = dict.fromkeys(
    (
        "care_team.list",
        "care_team.create",
        "care_team.member_add",
        "care_team.member_remove",
        "patient.care_team",
        "patient.care_team_unset",
        "break_glass.review",
    ),
    "any",
)

PART = MatrixPart(
    endpoints={
        "care_team.list": ("collection", lambda _w, _k: ("GET", "/api/v1/care-teams", None)),
        "care_team.create": (
            "collection",
            lambda _w, _k: ("POST", "/api/v1/care-teams", {"name": f"Team {next(_counter)}"}),
        ),
        "care_team.member_add": (
            "object",
            lambda w, k: (
                "POST",
                f"/api/v1/care-teams/{w.ids['team_id'][k]}/members",
                {"username": "nurse" if k == "own" else "nurse-other"},  # already on it
            ),
        ),
        "care_team.member_remove": (
            "object",
            lambda w, k: (
                "DELETE",
                f"/api/v1/care-teams/{w.ids['team_id'][k]}/members/{_REMOVABLE}",
                None,
            ),
        ),
        "patient.care_team": (
            "object",
            lambda w, k: ("PUT", f"/api/v1/patients/{w.patient(k)}/care-team", {"team": "Matrix"}),
        ),
        "patient.break_glass": (
            "object",
            lambda w, k: (
                "POST",
                f"/api/v1/patients/{w.ids['patient_id'][k]}/break-glass",
                {"reason": "matrix: covering the other team", "hours": 1},
            ),
        ),
        "break_glass.review": ("object", _review),
        "patient.care_team_unset": ("object", _unassign),
        "patient.read_no_pump": (
            "object",
            lambda w, k: ("GET", f"/api/v1/patients/{w.ids['no_pump'][k]}", None),
        ),
    },
    expected={
        "admin": {**_ADMIN, "worklist.read": "any"},  # its worklist: the break-glass alerts
        "physician": {"patient.break_glass": "any", "patient.read_no_pump": "any"},
        "nurse": {"patient.break_glass": "any", "patient.read_no_pump": "any"},
    },
    prepare=_prepare,
)


#: Collection endpoints about one person, not a patient: their grant is not a role's.
_PERSONAL = frozenset({"users.token", "users.tokens", "users.token.revoke"})  # the nurse's own


def other_team_grants(
    expected: dict[str, dict[str, str]], shapes: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The other team's clinicians: their role's grants on collections, on objects only
    breaking the glass (every matrix patient is on the team "Matrix", not theirs)."""
    return {
        username: {
            **{
                e: g
                for e, g in expected[role].items()
                if shapes[e] == "collection" and e not in _PERSONAL
            },
            "patient.break_glass": "any",
        }
        for username, role in OTHER_TEAM.items()
    }
