"""Patient use cases: register, search, show (an audited PHI read), amend demographics.

Each takes a keyword-only command, a unit of work and a clock; authorizes first; writes one audit
entry in the same transaction as the change or read; and commits.

``open_patient_form`` opens a blank form about a patient (a trial plan, an implant) only for an
actor the policy allows the write the form leads to; the read of the patient is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.care_teams import CareTeamInvalid
from thecal.domain.patient import (
    Contact,
    Demographics,
    DemographicsAmendment,
    DuplicateMrn,
    Patient,
    PatientNotFound,
    Sex,
)
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.repositories.patients import PatientQuery
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "AmendDemographics",
    "GetPatient",
    "OpenPatientForm",
    "RegisterPatient",
    "SearchPatients",
    "amend_demographics",
    "get_patient",
    "open_patient_form",
    "register_patient",
    "search_patients",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterPatient:
    actor: Actor
    mrn: str
    family_name: str
    given_names: str
    birth_date: dt.date
    sex: Sex
    contact: Contact = field(default_factory=Contact)
    patient_id: str | None = None  # generated when not given


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPatients:
    actor: Actor
    query: PatientQuery


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPatient:
    actor: Actor
    patient_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendDemographics:
    actor: Actor
    patient_id: str
    expected_version: int
    amendment: DemographicsAmendment


def register_patient(cmd: RegisterPatient, *, uow: AbstractUnitOfWork, clock: Clock) -> Patient:
    """Register a new patient under a unique medical record number.

    Raises:
        AccessDenied: the actor may not register patients.
        DuplicateMrn: the MRN is taken.
        PatientInvalid: the demographics are not acceptable.
    """
    authorize(cmd.actor, Action.PATIENT_REGISTER, Subject.collection("patients"))
    now = clock.now()
    demographics = Demographics(
        family_name=cmd.family_name,
        given_names=cmd.given_names,
        birth_date=cmd.birth_date,
        sex=cmd.sex,
        contact=cmd.contact,
    )
    demographics.check_not_after(now.date())
    patient = Patient(
        id=cmd.patient_id or str(uuid.uuid4()),
        mrn=cmd.mrn,
        demographics=demographics,
        registered_at=now,
    )
    team_id = _team_for_new_patient(cmd)
    with uow:
        if uow.patients.get_by_mrn(cmd.mrn) is not None:
            raise DuplicateMrn(mrn=cmd.mrn)
        uow.patients.add(patient)
        if team_id is not None:  # on the registering clinician's team (SR-21)
            uow.care_teams.assign_patient(patient.id, team_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_REGISTER,
            subject=Subject.patient(patient.id),
            at=now,
            details={
                "mrn": patient.mrn,
                "version": patient.version,
                **({"care_team": team_id} if team_id is not None else {}),
            },
        )
        uow.commit()
    return patient


def _team_for_new_patient(cmd: RegisterPatient) -> str | None:
    """The care team a clinician's new patient joins: their own (the first by id if several).

    Raises:
        CareTeamInvalid: the clinic has care teams and the clinician is on none of them (the
            patient would be out of their reach at once): an administrator must add them first.
    """
    reach = cmd.actor.reach
    if reach is None:
        return None  # a clinic without care teams, or the operator: no team
    if not reach.teams:
        raise CareTeamInvalid(
            where="membership",
            detail="you are on no care team, so the new patient would be out of your reach: "
            "an administrator must add you to a team first (nothing was registered)",
        )
    return min(reach.teams)


def search_patients(
    cmd: SearchPatients, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[Patient]:
    """Find patients by allow-listed criteria; the query and the ids returned are audited."""
    authorize(cmd.actor, Action.PATIENT_SEARCH, Subject.collection("patients"))
    reach = cmd.actor.reach  # a clinician finds the patients of their care teams (SR-21)
    query = cmd.query if reach is None else dataclasses.replace(cmd.query, within=reach.all)
    with uow:
        found = uow.patients.search(query)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_SEARCH,
            subject=Subject.collection("patients"),
            at=clock.now(),
            details={
                "criteria": {
                    "mrn": query.mrn,
                    "family_name_prefix": query.family_name_prefix,
                    "birth_date": query.birth_date.isoformat() if query.birth_date else None,
                    "limit": query.limit,
                },
                "returned": [patient.id for patient in found],
            },
        )
        uow.commit()
    return found


def get_patient(cmd: GetPatient, *, uow: AbstractUnitOfWork, clock: Clock) -> Patient:
    """One patient's record; every read is audited.

    Raises:
        AccessDenied: the actor may not read this record (patients: only their own).
        PatientNotFound: no such patient.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PATIENT_READ, subject)
    with uow:
        patient = uow.patients.get(cmd.patient_id)
        if patient is None:
            raise PatientNotFound(ident=cmd.patient_id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_READ,
            subject=subject,
            at=clock.now(),
            details={"version": patient.version},
        )
        uow.commit()
    return patient


def amend_demographics(cmd: AmendDemographics, *, uow: AbstractUnitOfWork, clock: Clock) -> Patient:
    """Change demographics if the caller saw the current version; old and new values are audited.

    Raises:
        AccessDenied, PatientNotFound, PatientInvalid;
        StalePatientVersion / StaleAggregate: someone else changed the patient first.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PATIENT_AMEND, subject)
    now = clock.now()
    with uow:
        patient = uow.patients.get(cmd.patient_id)
        if patient is None:
            raise PatientNotFound(ident=cmd.patient_id)
        changes = patient.amend(
            cmd.amendment, expected_version=cmd.expected_version, today=now.date()
        )
        uow.patients.update(patient)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_AMEND,
            subject=subject,
            at=now,
            details={
                "from_version": cmd.expected_version,
                "to_version": patient.version,
                "changes": {c.field: {"old": c.old, "new": c.new} for c in changes},
            },
        )
        uow.commit()
    return patient


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenPatientForm:
    actor: Actor
    patient_id: str
    action: Action  # the write the form leads to, e.g. Action.TRIAL_PLAN


def open_patient_form(cmd: OpenPatientForm, *, uow: AbstractUnitOfWork, clock: Clock) -> Patient:
    """The patient, if the actor may make the form's write for them.

    Raises:
        AccessDenied; PatientNotFound.
    """
    authorize(cmd.actor, cmd.action, Subject.patient(cmd.patient_id))
    return get_patient(GetPatient(actor=cmd.actor, patient_id=cmd.patient_id), uow=uow, clock=clock)
