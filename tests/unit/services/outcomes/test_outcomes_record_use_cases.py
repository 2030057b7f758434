"""Procedures and assessments on record: authorization, scoring, linking, auditing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from records_fakes import FakeUnitOfWork, FixedClock

from thecal.domain.assessment import AssessmentInvalid
from thecal.domain.authorization import AccessDenied
from thecal.domain.instruments import ODI_ITEMS, AnswerOutOfRange, Instrument, Pgic
from thecal.domain.patient import Patient, PatientNotFound, Sex
from thecal.domain.procedure import (
    ProcedureInvalid,
    ProcedureKind,
    ProcedureNotFound,
    ProcedureOfAnotherPatient,
    ProcedureRecord,
)
from thecal.domain.users import Actor, Role
from thecal.services.assessments import (
    ListAssessments,
    RecordAssessment,
    list_assessments,
    record_assessment,
)
from thecal.services.patients import RegisterPatient, register_patient
from thecal.services.procedures import (
    ListProcedures,
    RecordProcedure,
    list_procedures,
    record_procedure,
)

TODAY = dt.date(2025, 6, 2)  # the fake clock's day


def _register(uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, mrn: str) -> Patient:
    return register_patient(
        RegisterPatient(
            actor=nurse,
            mrn=mrn,
            family_name="Poe",
            given_names="Ed",
            birth_date=dt.date(1950, 1, 1),
            sex=Sex.MALE,
        ),
        uow=uow,
        clock=clock,
    )


@pytest.fixture
def patient(uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor) -> Patient:
    return _register(uow, clock, nurse, "MRN-1")


@pytest.fixture
def epidural(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor, patient: Patient
) -> ProcedureRecord:
    return record_procedure(
        RecordProcedure(
            actor=physician,
            patient_id=patient.id,
            kind=ProcedureKind.EPIDURAL_STEROID_INJECTION,
            performed_on=dt.date(2025, 3, 1),
            indication="L-RAD",
        ),
        uow=uow,
        clock=clock,
    )


def test_recording_a_procedure_stores_it_and_audits_the_write(
    uow: FakeUnitOfWork, physician: Actor, epidural: ProcedureRecord
) -> None:
    stored = uow.database.procedures[epidural.id]
    assert (stored.kind, stored.indication, stored.performer_id) == (
        ProcedureKind.EPIDURAL_STEROID_INJECTION,
        "L-RAD",
        physician.user_id,
    )
    entry = uow.database.audit[-1]
    assert entry.action == "procedure.record"
    assert json.loads(entry.details_json)["procedure_id"] == epidural.id


def test_a_procedure_dated_after_today_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor, patient: Patient
) -> None:
    with pytest.raises(ProcedureInvalid, match="after today"):
        record_procedure(
            RecordProcedure(
                actor=physician,
                patient_id=patient.id,
                kind=ProcedureKind.REFILL,
                performed_on=TODAY + dt.timedelta(days=1),
                indication="SPAST",
            ),
            uow=uow,
            clock=clock,
        )
    assert uow.database.procedures == {}


def test_a_procedure_for_an_unknown_patient_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor
) -> None:
    with pytest.raises(PatientNotFound):
        record_procedure(
            RecordProcedure(
                actor=physician,
                patient_id="nobody",
                kind=ProcedureKind.REFILL,
                performed_on=TODAY,
                indication="SPAST",
            ),
            uow=uow,
            clock=clock,
        )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PHARMACIST])
def test_roles_without_clinical_writes_may_not_record_procedures(
    uow: FakeUnitOfWork, clock: FixedClock, patient: Patient, role: Role
) -> None:
    with pytest.raises(AccessDenied):
        record_procedure(
            RecordProcedure(
                actor=Actor(user_id="u-x", role=role),
                patient_id=patient.id,
                kind=ProcedureKind.REFILL,
                performed_on=TODAY,
                indication="SPAST",
            ),
            uow=uow,
            clock=clock,
        )


def test_an_assessment_is_scored_and_linked_with_its_day_after_the_procedure(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, epidural: ProcedureRecord
) -> None:
    record = record_assessment(
        RecordAssessment(
            actor=nurse,
            patient_id=epidural.patient_id,
            instrument=Instrument.ODI,
            answers=dict.fromkeys(ODI_ITEMS[:9], 2) | {ODI_ITEMS[9]: None},
            assessed_on=dt.date(2025, 5, 30),
            procedure_id=epidural.id,
        ),
        uow=uow,
        clock=clock,
    )
    assert record.days_after_procedure == 90
    assert record.figures.odi_percent == Decimal(40)
    assert record.scores["missing_sections"] == "10"  # the blank section, by number
    assert uow.database.assessments[record.id].figures == record.figures
    assert uow.database.audit[-1].action == "assessment.record"


def test_an_assessment_before_the_procedure_is_a_baseline(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, epidural: ProcedureRecord
) -> None:
    record = record_assessment(
        RecordAssessment(
            actor=nurse,
            patient_id=epidural.patient_id,
            instrument=Instrument.NRS,
            answers={"pain": 8},
            assessed_on=dt.date(2025, 2, 20),
            procedure_id=epidural.id,
        ),
        uow=uow,
        clock=clock,
    )
    assert (record.days_after_procedure, record.is_baseline) == (-9, True)
    assert record.figures.pain_nrs == Decimal(8)


def test_a_patient_records_their_own_pain_diary(
    uow: FakeUnitOfWork, clock: FixedClock, patient: Patient
) -> None:
    me = Actor(user_id="u-me", role=Role.PATIENT, patient_id=patient.id)
    record = record_assessment(
        RecordAssessment(
            actor=me,
            patient_id=patient.id,
            instrument=Instrument.PGIC,
            answers={"change": 2},
            assessed_on=TODAY,
        ),
        uow=uow,
        clock=clock,
    )
    assert record.figures.pgic is Pgic.MUCH_IMPROVED
    assert record.recorded_by == "u-me"
    assert [
        a.id
        for a in list_assessments(
            ListAssessments(actor=me, patient_id=patient.id), uow=uow, clock=clock
        )
    ] == [record.id]


def test_a_patient_may_not_record_for_someone_else(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    other = _register(uow, clock, nurse, "MRN-2")
    me = Actor(user_id="u-me", role=Role.PATIENT, patient_id=patient.id)
    with pytest.raises(AccessDenied):
        record_assessment(
            RecordAssessment(
                actor=me,
                patient_id=other.id,
                instrument=Instrument.NRS,
                answers={"pain": 3},
                assessed_on=TODAY,
            ),
            uow=uow,
            clock=clock,
        )
    assert uow.database.assessments == {}


def test_linking_to_another_patients_procedure_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, epidural: ProcedureRecord
) -> None:
    other = _register(uow, clock, nurse, "MRN-2")
    with pytest.raises(ProcedureOfAnotherPatient):
        record_assessment(
            RecordAssessment(
                actor=nurse,
                patient_id=other.id,
                instrument=Instrument.NRS,
                answers={"pain": 3},
                assessed_on=TODAY,
                procedure_id=epidural.id,
            ),
            uow=uow,
            clock=clock,
        )


def test_linking_to_an_unknown_procedure_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    with pytest.raises(ProcedureNotFound):
        record_assessment(
            RecordAssessment(
                actor=nurse,
                patient_id=patient.id,
                instrument=Instrument.NRS,
                answers={"pain": 3},
                assessed_on=TODAY,
                procedure_id="missing",
            ),
            uow=uow,
            clock=clock,
        )


def test_answers_outside_the_instrument_are_refused_and_nothing_is_written(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    audit_before = len(uow.database.audit)
    with pytest.raises(AnswerOutOfRange):
        record_assessment(
            RecordAssessment(
                actor=nurse,
                patient_id=patient.id,
                instrument=Instrument.NRS,
                answers={"pain": 11},
                assessed_on=TODAY,
            ),
            uow=uow,
            clock=clock,
        )
    assert (uow.database.assessments, len(uow.database.audit)) == ({}, audit_before)


def test_an_assessment_dated_after_today_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, nurse: Actor, patient: Patient
) -> None:
    with pytest.raises(AssessmentInvalid, match="after the recording day"):
        record_assessment(
            RecordAssessment(
                actor=nurse,
                patient_id=patient.id,
                instrument=Instrument.NRS,
                answers={"pain": 3},
                assessed_on=TODAY + dt.timedelta(days=1),
            ),
            uow=uow,
            clock=clock,
        )


def test_listing_procedures_is_an_audited_read_newest_first(
    uow: FakeUnitOfWork, clock: FixedClock, physician: Actor, epidural: ProcedureRecord
) -> None:
    later = record_procedure(
        RecordProcedure(
            actor=physician,
            patient_id=epidural.patient_id,
            kind=ProcedureKind.FACET_JOINT_INJECTION,
            performed_on=dt.date(2025, 5, 1),
            indication="L-FACET",
        ),
        uow=uow,
        clock=clock,
    )
    found = list_procedures(
        ListProcedures(actor=physician, patient_id=epidural.patient_id), uow=uow, clock=clock
    )
    assert [p.id for p in found] == [later.id, epidural.id]
    assert uow.database.audit[-1].action == "procedure.read"
