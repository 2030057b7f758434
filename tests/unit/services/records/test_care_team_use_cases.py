"""Care-team use cases of the admin pages and the patient search over the fake unit of work
(SR-21): find patients to place, take a patient off their team, find an exact MRN outside the
clinician's reach; each authorized first and audited in its own commit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from records_fakes import FakeUnitOfWork, FixedClock

from thecal.domain.authorization import AccessDenied
from thecal.domain.care_teams import CareReach, CareTeamInvalid
from thecal.domain.errors import NotFound
from thecal.domain.patient import Patient, Sex
from thecal.domain.users import Actor, Role
from thecal.services.care_teams import (
    AssignPatientTeam,
    CreateCareTeam,
    FindOutsideTeams,
    FindTeamPatients,
    TeamPatient,
    UnassignPatientTeam,
    assign_patient_team,
    create_care_team,
    find_outside_teams,
    find_team_patients,
    unassign_patient_team,
)
from thecal.services.patients import RegisterPatient, register_patient


def _patient(uow: FakeUnitOfWork, clock: FixedClock, mrn: str, family: str) -> Patient:
    return register_patient(
        RegisterPatient(
            actor=Actor(user_id="operator", role=Role.PHYSICIAN),
            mrn=mrn,
            family_name=family,
            given_names="Alex",
            birth_date=dt.date(1960, 5, 17),
            sex=Sex.UNKNOWN,
        ),
        uow=uow,
        clock=clock,
    )


def _audited(uow: FakeUnitOfWork, action: str) -> list[dict[str, object]]:
    return [
        {k: v for k, v in e.details.items() if k != "role"}
        for e in uow.database.audit
        if e.action == action
    ]


def test_an_administrator_finds_patients_by_mrn_then_by_family_name_with_their_team(
    uow: FakeUnitOfWork, clock: FixedClock, admin: Actor
) -> None:
    owens = _patient(uow, clock, "OWN-1", "Owens")
    forde = _patient(uow, clock, "FOREIGN-1", "Forde")
    create_care_team(CreateCareTeam(actor=admin, name="Spine"), uow=uow, clock=clock)
    assign_patient_team(
        AssignPatientTeam(actor=admin, patient_id=owens.id, team="Spine"), uow=uow, clock=clock
    )
    by_mrn = find_team_patients(FindTeamPatients(actor=admin, text=" OWN-1 "), uow=uow, clock=clock)
    assert by_mrn == [
        TeamPatient(patient_id=owens.id, name="Owens, Alex", mrn="OWN-1", team="Spine")
    ]
    by_name = find_team_patients(FindTeamPatients(actor=admin, text="For"), uow=uow, clock=clock)
    assert by_name == [
        TeamPatient(patient_id=forde.id, name="Forde, Alex", mrn="FOREIGN-1", team=None)
    ]
    assert _audited(uow, "care_team.manage")[-2:] == [
        {"patients_looked_up": "OWN-1", "returned": [owens.id]},
        {"patients_looked_up": "For", "returned": [forde.id]},
    ]


def test_finding_patients_needs_text_and_the_administrator_role(
    uow: FakeUnitOfWork, clock: FixedClock, admin: Actor, nurse: Actor
) -> None:
    _patient(uow, clock, "OWN-1", "Owens")
    before = len(uow.database.audit)
    with pytest.raises(CareTeamInvalid, match="type a family name or an MRN"):
        find_team_patients(FindTeamPatients(actor=admin, text="   "), uow=uow, clock=clock)
    with pytest.raises(AccessDenied):
        find_team_patients(FindTeamPatients(actor=nurse, text="Owens"), uow=uow, clock=clock)
    assert len(uow.database.audit) == before


def test_a_patient_taken_off_their_team_is_on_none_and_cannot_be_taken_off_twice(
    uow: FakeUnitOfWork, clock: FixedClock, admin: Actor, nurse: Actor
) -> None:
    owens = _patient(uow, clock, "OWN-1", "Owens")
    team = create_care_team(CreateCareTeam(actor=admin, name="Spine"), uow=uow, clock=clock)
    assign_patient_team(
        AssignPatientTeam(actor=admin, patient_id=owens.id, team="Spine"), uow=uow, clock=clock
    )
    left = unassign_patient_team(
        UnassignPatientTeam(actor=admin, patient_id=owens.id), uow=uow, clock=clock
    )
    assert left.id == team.id
    assert uow.database.care_teams.patients == {}
    assert _audited(uow, "care_team.manage")[-1] == {
        "patient_unassigned": owens.id,
        "team": "Spine",
    }
    with pytest.raises(CareTeamInvalid, match="on no care team"):
        unassign_patient_team(
            UnassignPatientTeam(actor=admin, patient_id=owens.id), uow=uow, clock=clock
        )
    with pytest.raises(NotFound):
        unassign_patient_team(
            UnassignPatientTeam(actor=admin, patient_id="nobody"), uow=uow, clock=clock
        )
    with pytest.raises(AccessDenied):
        unassign_patient_team(
            UnassignPatientTeam(actor=nurse, patient_id=owens.id), uow=uow, clock=clock
        )


def test_an_exact_mrn_outside_the_clinicians_reach_is_named_by_its_id_only(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    owens = _patient(uow, clock, "OWN-1", "Owens")
    forde = _patient(uow, clock, "FOREIGN-1", "Forde")
    on_team = dataclasses.replace(nurse, reach=CareReach.of({"t"}, {forde.id}))

    def find(actor: Actor, mrn: str) -> str | None:
        return find_outside_teams(FindOutsideTeams(actor=actor, mrn=mrn), uow=uow, clock=clock)

    assert find(on_team, "OWN-1") == owens.id  # another team's: whose glass to break
    assert find(on_team, "FOREIGN-1") is None  # her own team's: the search found it
    assert find(on_team, "NOBODY") is None
    assert _audited(uow, "patient.search") == [
        {"outside_teams_mrn": "OWN-1", "returned": [owens.id]},
        {"outside_teams_mrn": "FOREIGN-1", "returned": []},
        {"outside_teams_mrn": "NOBODY", "returned": []},
    ]
    assert find(nurse, "OWN-1") is None  # a clinic without teams: nothing is outside
    opened = dataclasses.replace(nurse, reach=CareReach.of({"t"}, {forde.id}, {owens.id}))
    assert find(opened, "OWN-1") is None  # the glass already broken: within reach
    with pytest.raises(AccessDenied):  # pharmacists break no glass
        find(Actor(user_id="u-ph", role=Role.PHARMACIST), "OWN-1")
