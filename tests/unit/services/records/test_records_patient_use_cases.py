"""Patient use cases over the fake unit of work: authorization first, audit in the same commit."""

from __future__ import annotations

import datetime as dt

import pytest
from records_fakes import FakeUnitOfWork, FixedClock

from thecal.domain.audit import verify_chain
from thecal.domain.authorization import AccessDenied
from thecal.domain.patient import (
    DemographicsAmendment,
    DuplicateMrn,
    Patient,
    PatientInvalid,
    PatientNotFound,
    Sex,
    StalePatientVersion,
)
from thecal.domain.users import Actor, Role
from thecal.services.patients import (
    AmendDemographics,
    GetPatient,
    RegisterPatient,
    SearchPatients,
    amend_demographics,
    get_patient,
    register_patient,
    search_patients,
)
from thecal.services.repositories.patients import PatientQuery


def register(
    uow: FakeUnitOfWork, clock: FixedClock, actor: Actor, mrn: str = "MRN-1", **kw: object
) -> Patient:
    fields: dict[str, object] = {
        "family_name": "Doe",
        "given_names": "Jane",
        "birth_date": dt.date(1961, 4, 3),
        "sex": Sex.FEMALE,
    }
    fields.update(kw)
    return register_patient(RegisterPatient(actor=actor, mrn=mrn, **fields), uow=uow, clock=clock)  # type: ignore[arg-type]


def test_registering_stores_the_patient_and_one_audit_entry_in_one_commit(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    patient = register(uow, clock, nurse)
    assert uow.database.patients[patient.id].mrn == "MRN-1"
    assert uow.database.commits == 1
    [entry] = uow.database.audit
    assert (entry.actor, entry.action, entry.subject) == (
        nurse.user_id,
        "patient.register",
        f"patient:{patient.id}",
    )
    assert entry.details == {"mrn": "MRN-1", "role": "nurse", "version": 1}
    assert entry.occurred_at == clock.now()


def test_a_duplicate_mrn_is_a_conflict_and_nothing_is_written(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    register(uow, clock, nurse)
    with pytest.raises(DuplicateMrn):
        register(uow, clock, nurse, given_names="Other")
    assert len(uow.database.patients) == 1
    assert len(uow.database.audit) == 1


def test_a_birth_date_after_today_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    with pytest.raises(PatientInvalid):
        register(uow, clock, nurse, birth_date=clock.now().date() + dt.timedelta(days=1))


@pytest.mark.parametrize("role", [Role.PHARMACIST, Role.ADMIN])
def test_roles_without_the_right_cannot_register_and_leave_no_trace(
    uow: FakeUnitOfWork, clock: FixedClock, role: Role
) -> None:
    with pytest.raises(AccessDenied):
        register(uow, clock, Actor(user_id="u", role=role))
    assert uow.database.commits == 0


def test_showing_a_patient_is_an_audited_read(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor
) -> None:
    patient = register(uow, clock, physician)
    shown = get_patient(GetPatient(actor=physician, patient_id=patient.id), uow=uow, clock=clock)
    assert shown == patient
    assert [e.action for e in uow.database.audit] == ["patient.register", "patient.read"]


def test_a_patient_user_sees_their_own_record_but_not_anothers(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    own = register(uow, clock, nurse, mrn="MRN-1")
    other = register(uow, clock, nurse, mrn="MRN-2", family_name="Roe")
    me = Actor(user_id="u-pat", role=Role.PATIENT, patient_id=own.id)
    assert get_patient(GetPatient(actor=me, patient_id=own.id), uow=uow, clock=clock) == own
    with pytest.raises(AccessDenied):
        get_patient(GetPatient(actor=me, patient_id=other.id), uow=uow, clock=clock)
    with pytest.raises(AccessDenied):
        search_patients(
            SearchPatients(actor=me, query=PatientQuery(mrn="MRN-2")), uow=uow, clock=clock
        )


def test_an_unknown_patient_is_not_found(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor
) -> None:
    with pytest.raises(PatientNotFound):
        get_patient(GetPatient(actor=physician, patient_id="nope"), uow=uow, clock=clock)


def test_search_matches_family_name_prefixes_in_any_case_and_audits_what_it_returned(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    doe = register(uow, clock, nurse, mrn="MRN-1", family_name="Doe")
    register(uow, clock, nurse, mrn="MRN-2", family_name="Roe")
    dobbs = register(uow, clock, nurse, mrn="MRN-3", family_name="Dobbs")
    found = search_patients(
        SearchPatients(actor=nurse, query=PatientQuery(family_name_prefix="DO")),
        uow=uow,
        clock=clock,
    )
    assert [p.id for p in found] == [dobbs.id, doe.id]
    last = uow.database.audit[-1]
    assert last.action == "patient.search"
    assert last.details["returned"] == [dobbs.id, doe.id]
    assert last.details["criteria"]["family_name_prefix"] == "DO"


def test_amending_with_the_current_version_bumps_it_and_audits_old_and_new(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    patient = register(uow, clock, nurse)
    amended = amend_demographics(
        AmendDemographics(
            actor=nurse,
            patient_id=patient.id,
            expected_version=1,
            amendment=DemographicsAmendment(family_name="Doe-Smith"),
        ),
        uow=uow,
        clock=clock,
    )
    assert amended.version == 2
    assert uow.database.patients[patient.id].demographics.family_name == "Doe-Smith"
    assert uow.database.audit[-1].details["changes"] == {
        "family_name": {"old": "Doe", "new": "Doe-Smith"}
    }


def test_amending_an_old_version_is_a_conflict(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    patient = register(uow, clock, nurse)
    command = AmendDemographics(
        actor=nurse,
        patient_id=patient.id,
        expected_version=1,
        amendment=DemographicsAmendment(given_names="J"),
    )
    amend_demographics(command, uow=uow, clock=clock)
    with pytest.raises(StalePatientVersion):
        amend_demographics(command, uow=uow, clock=clock)
    assert uow.database.patients[patient.id].version == 2


def test_every_use_case_leaves_a_chain_that_verifies(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    patient = register(uow, clock, nurse)
    get_patient(GetPatient(actor=nurse, patient_id=patient.id), uow=uow, clock=clock)
    search_patients(
        SearchPatients(actor=nurse, query=PatientQuery(mrn="MRN-1")), uow=uow, clock=clock
    )
    assert verify_chain(uow.database.audit, uow.audit_key).ok
