"""Candidacy and audit-verification use cases, and the unit of work's own guarantees."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from records_fakes import FakeUnitOfWork, FixedClock

from thecal.domain.audit import BreakReason
from thecal.domain.authorization import AccessDenied, Action, Subject
from thecal.domain.candidacy import (
    CandidacyDetails,
    ContraindicationChecklist,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
    StaleCandidacyVersion,
    SystemicMedication,
)
from thecal.domain.patient import Patient, PatientNotFound, Sex
from thecal.domain.units import DoseRate
from thecal.domain.users import Actor, Role
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.candidacy import (
    GetCandidacy,
    RecordCandidacy,
    ReviseCandidacy,
    get_candidacy,
    record_candidacy,
    revise_candidacy,
)
from thecal.services.patients import RegisterPatient, register_patient
from thecal.services.repositories.versioned import StaleAggregate
from thecal.services.unit_of_work import UnauditedWrite

DETAILS = CandidacyDetails(
    indication=Indication.POST_HERPETIC_NEURALGIA,
    indication_detail="",
    mechanism=PainMechanism.NEUROPATHIC,
    breadth=PainBreadth.LOCALIZED,
    cancer=None,
    conservative_therapy_months=8,
    oral_medication_months=8,
    psych_evaluation=PsychEvaluation.CLEARED,
    contraindications=ContraindicationChecklist(),
    medications=(
        SystemicMedication(drug="morphine", daily_dose=DoseRate.from_mg_per_day(120), opioid=True),
    ),
)


@pytest.fixture
def patient(uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor) -> Patient:
    return register_patient(
        RegisterPatient(
            actor=nurse,
            mrn="MRN-7",
            family_name="Poe",
            given_names="Ed",
            birth_date=dt.date(1950, 1, 1),
            sex=Sex.MALE,
        ),
        uow=uow,
        clock=clock,
    )


def test_recording_candidacy_computes_mme_with_the_default_table(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    record = record_candidacy(
        RecordCandidacy(actor=nurse, patient_id=patient.id, details=DETAILS), uow=uow, clock=clock
    )
    assert (record.mme.total_mg_per_day, record.mme.table_id) == (Decimal(120), "cdc-2022")
    stored = uow.database.candidacy[record.id]
    assert stored.assessed_by == nurse.user_id
    entry = uow.database.audit[-1]
    assert (entry.action, entry.details["total_mme_mg_per_day"], entry.details["mme_table"]) == (
        "candidacy.record",
        "120",
        "cdc-2022",
    )


def test_candidacy_for_an_unknown_patient_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    with pytest.raises(PatientNotFound):
        record_candidacy(
            RecordCandidacy(actor=nurse, patient_id="ghost", details=DETAILS), uow=uow, clock=clock
        )


def test_a_pharmacist_may_not_record_candidacy(
    uow: FakeUnitOfWork, clock: FixedClock, patient: Patient
) -> None:
    with pytest.raises(AccessDenied):
        record_candidacy(
            RecordCandidacy(
                actor=Actor(user_id="ph", role=Role.PHARMACIST),
                patient_id=patient.id,
                details=DETAILS,
            ),
            uow=uow,
            clock=clock,
        )


def test_revising_checks_the_version_and_recomputes_mme(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, physician: Actor, patient: Patient
) -> None:
    record = record_candidacy(
        RecordCandidacy(actor=nurse, patient_id=patient.id, details=DETAILS), uow=uow, clock=clock
    )
    halved = dataclasses.replace(
        DETAILS,
        medications=(
            SystemicMedication(
                drug="morphine", daily_dose=DoseRate.from_mg_per_day(60), opioid=True
            ),
        ),
    )
    revised = revise_candidacy(
        ReviseCandidacy(
            actor=physician, assessment_id=record.id, expected_version=1, details=halved
        ),
        uow=uow,
        clock=clock,
    )
    assert (revised.version, revised.mme.total_mg_per_day) == (2, Decimal(60))
    with pytest.raises(StaleCandidacyVersion):
        revise_candidacy(
            ReviseCandidacy(
                actor=physician, assessment_id=record.id, expected_version=1, details=DETAILS
            ),
            uow=uow,
            clock=clock,
        )


def test_a_patient_reads_their_own_candidacy_audited(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    record = record_candidacy(
        RecordCandidacy(actor=nurse, patient_id=patient.id, details=DETAILS), uow=uow, clock=clock
    )
    me = Actor(user_id="u-me", role=Role.PATIENT, patient_id=patient.id)
    assert get_candidacy(GetCandidacy(actor=me, patient_id=patient.id), uow=uow, clock=clock) == [
        record
    ]
    assert uow.database.audit[-1].action == "candidacy.read"


def test_verifying_a_sound_log_reports_ok_and_records_the_check(
    uow: FakeUnitOfWork, clock: FixedClock, admin: Actor, patient: Patient
) -> None:
    report = verify_audit(VerifyAudit(actor=admin), uow=uow, clock=clock)
    assert report.ok
    assert report.entries_checked == 1
    assert uow.database.audit[-1].action == "audit.verify"


def test_verifying_a_tampered_log_names_the_first_bad_entry(
    uow: FakeUnitOfWork, clock: FixedClock, admin: Actor, nurse: Actor, patient: Patient
) -> None:
    verify_audit(VerifyAudit(actor=admin), uow=uow, clock=clock)
    uow.database.audit[0] = dataclasses.replace(uow.database.audit[0], actor="someone-else")
    report = verify_audit(VerifyAudit(actor=admin), uow=uow, clock=clock)
    assert report.first_break is not None
    assert (report.first_break.sequence, report.first_break.reason) == (1, BreakReason.HASH)


def test_nurses_may_not_verify_the_audit_log(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor
) -> None:
    with pytest.raises(AccessDenied):
        verify_audit(VerifyAudit(actor=nurse), uow=uow, clock=clock)


def test_the_unit_of_work_refuses_to_commit_an_unaudited_write(
    uow: FakeUnitOfWork, patient: Patient
) -> None:
    with uow:
        loaded = uow.patients.get(patient.id)
        assert loaded is not None
        uow.patients.update(loaded)
        with pytest.raises(UnauditedWrite):
            uow.commit()
    assert uow.database.commits == 1  # only the registration


def test_leaving_the_block_without_commit_rolls_back_records_and_audit(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    with uow:
        loaded = uow.patients.get(patient.id)
        assert loaded is not None
        uow.audit.record(
            actor=nurse,
            action=Action.PATIENT_READ,
            subject=Subject.patient(patient.id),
            at=clock.now(),
        )
    assert len(uow.database.audit) == 1


def test_an_update_after_someone_else_changed_the_row_is_a_stale_aggregate(
    uow: FakeUnitOfWork, patient: Patient
) -> None:
    with uow:
        loaded = uow.patients.get(patient.id)
        assert loaded is not None
        uow.working.patients[patient.id].version = 5  # a concurrent writer got there first
        with pytest.raises(StaleAggregate):
            uow.patients.update(loaded)
