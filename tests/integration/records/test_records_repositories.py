"""Repositories and the unit of work on real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from records_db import NOW, seed_user
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from thecal.adapters.sql.repositories import audit as audit_repository
from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.authorization import Action, Subject
from thecal.domain.candidacy import (
    CancerCategory,
    CancerStatus,
    CandidacyDetails,
    Contraindication,
    ContraindicationChecklist,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
    SystemicMedication,
)
from thecal.domain.patient import Contact, DemographicsAmendment, Patient, Sex
from thecal.domain.units import DoseRate, MassUnit, TimeUnit
from thecal.domain.users import Actor, Role, User
from thecal.services.candidacy import GetCandidacy, RecordCandidacy, get_candidacy, record_candidacy
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
from thecal.services.repositories.versioned import StaleAggregate
from thecal.services.unit_of_work import UnauditedWrite

NURSE = Actor(user_id="nurse-1", role=Role.NURSE)


def register(app: Thecal, mrn: str, family_name: str = "Doe", **kw: object) -> Patient:
    fields: dict[str, object] = {
        "given_names": "Jane",
        "birth_date": dt.date(1961, 4, 3),
        "sex": Sex.FEMALE,
    }
    fields.update(kw)
    return app.run(
        register_patient,
        RegisterPatient(actor=NURSE, mrn=mrn, family_name=family_name, **fields),  # type: ignore[arg-type]
    )


def test_a_registered_patient_reads_back_identically(app: Thecal) -> None:
    contact = Contact(phone="+1 555 0100", email="jane@example.org", address="1 Main St, Ünïcode")
    patient = register(app, "MRN-1", contact=contact)
    shown = app.run(get_patient, GetPatient(actor=NURSE, patient_id=patient.id))
    assert shown.demographics == patient.demographics
    assert shown.registered_at == NOW
    assert shown.registered_at.tzinfo is dt.UTC
    assert (shown.mrn, shown.version) == ("MRN-1", 1)


def test_search_is_case_insensitive_prefix_ordered_and_limited(app: Thecal) -> None:
    for mrn, name in [("M1", "Dobbs"), ("M2", "doe"), ("M3", "Roe"), ("M4", "Doherty")]:
        register(app, mrn, name)
    found = app.run(
        search_patients,
        SearchPatients(actor=NURSE, query=PatientQuery(family_name_prefix="Do", limit=2)),
    )
    assert [p.demographics.family_name for p in found] == ["Dobbs", "doe"]


@pytest.mark.parametrize(
    "payload", ["%", "_", "' OR '1'='1", "Doe'; DROP TABLE patients; --", "\\", "D%e"]
)
def test_search_text_is_data_never_sql_or_a_wildcard(app: Thecal, payload: str) -> None:
    register(app, "MRN-1", "Doe")
    found = app.run(
        search_patients,
        SearchPatients(actor=NURSE, query=PatientQuery(family_name_prefix=payload)),
    )
    assert found == []
    assert (
        len(app.run(search_patients, SearchPatients(actor=NURSE, query=PatientQuery(mrn="MRN-1"))))
        == 1
    )


def test_amendments_persist_with_the_new_version(app: Thecal) -> None:
    patient = register(app, "MRN-1")
    app.run(
        amend_demographics,
        AmendDemographics(
            actor=NURSE,
            patient_id=patient.id,
            expected_version=1,
            amendment=DemographicsAmendment(birth_date=dt.date(1962, 4, 3)),
        ),
    )
    shown = app.run(get_patient, GetPatient(actor=NURSE, patient_id=patient.id))
    assert (shown.version, shown.demographics.birth_date) == (2, dt.date(1962, 4, 3))


def test_a_stale_update_is_refused_by_the_database_row_version(app: Thecal) -> None:
    patient = register(app, "MRN-1")
    app.run(
        amend_demographics,
        AmendDemographics(
            actor=NURSE,
            patient_id=patient.id,
            expected_version=1,
            amendment=DemographicsAmendment(given_names="A"),
        ),
    )
    with app.uow() as late:
        current = late.patients.get(patient.id)
        assert current is not None
        # Play a writer that read version 1 before the amendment above: the UPDATE's
        # `WHERE version = 1` must match no row. (Real interleavings: test_records_concurrency.)
        late.patients._loaded[patient.id] = 1
        with pytest.raises(StaleAggregate):
            late.patients.update(current)


def test_leaving_without_commit_rolls_back_the_record_and_its_audit_entry(app: Thecal) -> None:
    patient = register(app, "MRN-1")
    with app.uow() as uow:
        loaded = uow.patients.get(patient.id)
        assert loaded is not None
        loaded.amend(
            DemographicsAmendment(given_names="Rolled"), expected_version=1, today=NOW.date()
        )
        uow.patients.update(loaded)
        uow.audit.record(
            actor=NURSE, action=Action.PATIENT_AMEND, subject=Subject.patient(patient.id), at=NOW
        )
    with app.uow() as uow:
        again = uow.patients.get(patient.id)
        assert again is not None
        assert again.demographics.given_names == "Jane"
        assert [e.action for e in uow.audit_log.entries()] == ["patient.register"]


def test_an_unaudited_write_is_never_committed(app: Thecal) -> None:
    patient = register(app, "MRN-1")
    with app.uow() as uow:
        loaded = uow.patients.get(patient.id)
        assert loaded is not None
        loaded.amend(
            DemographicsAmendment(given_names="Sneaky"), expected_version=1, today=NOW.date()
        )
        uow.patients.update(loaded)
        with pytest.raises(UnauditedWrite):
            uow.commit()
    assert (
        app.run(
            get_patient, GetPatient(actor=NURSE, patient_id=patient.id)
        ).demographics.given_names
        == "Jane"
    )


def test_candidacy_round_trips_exact_decimals_and_its_checklist(app: Thecal) -> None:
    patient = register(app, "MRN-1")
    details = CandidacyDetails(
        indication=Indication.CANCER_PAIN,
        indication_detail="",
        mechanism=PainMechanism.MIXED,
        breadth=PainBreadth.DIFFUSE,
        cancer=CancerStatus(category=CancerCategory.STABLE, life_expectancy_months=18),
        conservative_therapy_months=0,
        oral_medication_months=5,
        psych_evaluation=PsychEvaluation.PENDING,
        contraindications=ContraindicationChecklist(
            present=frozenset({Contraindication.ANTICOAGULATION, Contraindication.GI_OBSTRUCTION}),
            anticoagulation_plan="hold apixaban 3 days; restart 24 h after",
        ),
        medications=(
            SystemicMedication(
                drug="codeine", daily_dose=DoseRate.from_mg_per_day(Decimal("33.3")), opioid=True
            ),
            SystemicMedication(
                drug="fentanyl-transdermal",
                daily_dose=DoseRate.of(Decimal("12.5"), MassUnit.MCG, TimeUnit.HOUR),
                opioid=True,
            ),
            SystemicMedication(
                drug="pregabalin", daily_dose=DoseRate.from_mg_per_day(300), opioid=False
            ),
            SystemicMedication(
                drug="codeine", daily_dose=DoseRate.from_mg_per_day(10), opioid=True
            ),
        ),
        notes="ärztlich geprüft",
    )
    recorded = app.run(
        record_candidacy, RecordCandidacy(actor=NURSE, patient_id=patient.id, details=details)
    )
    assert recorded.mme.total_mg_per_day == Decimal("36.495")  # 33.3×0.15 + 12.5×2.4 + 10×0.15
    [loaded] = app.run(get_candidacy, GetCandidacy(actor=NURSE, patient_id=patient.id))
    assert loaded.details == details
    assert loaded.mme == recorded.mme
    assert loaded.mme.per_drug_mg_per_day == (
        ("codeine", Decimal("4.995")),
        ("fentanyl-transdermal", Decimal("30.0")),
        ("codeine", Decimal("1.50")),
    )


def test_users_round_trip_and_the_role_patient_link_is_enforced_by_the_database(
    app: Thecal, migrated: Engine
) -> None:
    patient = register(app, "MRN-1")
    seeded = seed_user(app, username="jdoe", role=Role.PATIENT, patient_id=patient.id)
    with app.uow() as uow:
        loaded = uow.users.get_by_username("jdoe")
    assert loaded is not None
    assert (loaded.id, loaded.role, loaded.patient_id, loaded.active) == (
        seeded.id,
        Role.PATIENT,
        patient.id,
        True,
    )
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO users (id, username, role, display_name, active, created_at, version) "
                "VALUES (:id, :u, 'patient', 'x', :a, :t, 1)"
            ),
            {"id": "u-x", "u": "broken", "a": True, "t": NOW},
        )


def test_a_patient_user_must_point_at_a_real_patient(app: Thecal) -> None:
    ghost = User(
        id="u-g",
        username="ghost",
        role=Role.PATIENT,
        display_name="G",
        created_at=NOW,
        patient_id="nobody",
    )
    with app.uow() as uow, pytest.raises(IntegrityError):
        uow.users.add(ghost)


def test_the_audit_log_streams_in_batches_and_verifies(
    app: Thecal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_repository, "_AUDIT_STREAM_BATCH", 3)
    for index in range(7):
        register(app, f"MRN-{index}")
    with app.uow() as uow:
        entries = list(uow.audit_log.entries())
        report = verify_chain(
            uow.audit_log.entries(), uow.audit_key, anchor=uow.audit_log.recorded_head()
        )
    assert [e.sequence for e in entries] == list(range(1, 8))
    assert report.ok
    assert report.entries_checked == 7
