"""The audit log read by person, patient, action and days, on SQLite and PostgreSQL: the SQL query
admits exactly the entries AuditQuery.admits does (the port's Python reading), names are resolved,
an export is in sequence order, and every read is itself audited with its filters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from records_db import NOW, seed_user

from thecal.bootstrap import Thecal
from thecal.domain.authorization import Action, Subject
from thecal.domain.errors import RequestInvalid
from thecal.domain.patient import Sex
from thecal.domain.users import Role
from thecal.services.audit_log import (
    AuditFilter,
    ExportAuditLog,
    ReadAuditLog,
    export_audit_log,
    read_audit_log,
)
from thecal.services.patients import RegisterPatient, register_patient
from thecal.services.repositories.audit import AuditQuery

DAY = dt.timedelta(days=1)


@pytest.fixture
def clinic(app: Thecal) -> dict[str, str]:
    admin = seed_user(app, username="adam", role=Role.ADMIN)
    nurse = seed_user(app, username="nina", role=Role.NURSE)
    patient = app.run(
        register_patient,
        RegisterPatient(
            actor=nurse.as_actor(),
            mrn="MRN-7",
            family_name="=Walker",  # a name a spreadsheet would read as a formula
            given_names="Ann",
            birth_date=dt.date(1960, 1, 2),
            sex=Sex.FEMALE,
        ),
    )
    with app.uow() as uow:
        for index, action in enumerate(
            (Action.PATIENT_READ, Action.PATIENT_AMEND, Action.PATIENT_READ, Action.USER_MANAGE)
        ):
            subject = (
                Subject.patient(patient.id)
                if action is not Action.USER_MANAGE
                else Subject(kind="user", ident=nurse.id)
            )
            uow.audit.record(
                actor=nurse.as_actor() if index % 2 == 0 else admin.as_actor(),
                action=action,
                subject=subject,
                at=NOW + DAY * (index + 1),
                details={"n": index},
            )
        uow.commit()
    return {"admin": admin.id, "nurse": nurse.id, "patient": patient.id}


def test_the_sql_filters_admit_what_the_query_admits(app: Thecal, clinic: dict[str, str]) -> None:
    queries = [
        AuditQuery(),
        AuditQuery(actor=clinic["nurse"]),
        AuditQuery(subject=f"patient:{clinic['patient']}"),
        AuditQuery(action="patient.read"),
        AuditQuery(action="patient."),  # a family
        AuditQuery(action="patient"),  # not a family: no action is called just that
        AuditQuery(action="%."),  # a wildcard is text, never a pattern
        AuditQuery(since=NOW + DAY * 2, until=NOW + DAY * 4),
        AuditQuery(actor=clinic["admin"], subject=f"patient:{clinic['patient']}"),
    ]
    with app.uow() as uow:
        every = list(uow.audit_log.entries())
        for query in queries:
            expected = [e.sequence for e in reversed(every) if query.admits(e)]
            found = [e.sequence for e in uow.audit_log.newest(limit=1000, query=query)]
            assert found == expected, query
    assert [e for e in every if AuditQuery(action="patient").admits(e)] == []
    assert len([e for e in every if AuditQuery(action="patient.").admits(e)]) >= 4


def test_a_page_names_people_and_patients_and_its_read_records_the_filters(
    app: Thecal, clinic: dict[str, str]
) -> None:
    actor = seed_user(app, username="auditor", role=Role.ADMIN).as_actor()
    page = app.run(
        read_audit_log,
        ReadAuditLog(
            actor=actor,
            filter=AuditFilter(
                patient_mrn="MRN-7", action="patient.read", first_day=(NOW + DAY).date()
            ),
        ),
    )
    assert [json.loads(e.details_json)["n"] for e in page.entries] == [2, 0]  # newest first
    assert page.names[f"patient:{clinic['patient']}"] == "=Walker, Ann (MRN-7)"
    assert page.names[clinic["nurse"]] == "Nina"
    with app.uow() as uow:
        last = uow.audit_log.newest(limit=1)[0]
    assert last.action == Action.AUDIT_READ.value
    assert json.loads(last.details_json)["patient_mrn"] == "MRN-7"


def test_an_unknown_record_number_is_a_clear_error_and_reads_nothing(
    app: Thecal, clinic: dict[str, str]
) -> None:
    actor = seed_user(app, username="auditor", role=Role.ADMIN).as_actor()
    with app.uow() as uow:
        before = uow.audit_log.newest(limit=1)[0].sequence
    with pytest.raises(RequestInvalid, match="no patient has record number MRN-404"):
        app.run(
            read_audit_log,
            ReadAuditLog(actor=actor, filter=AuditFilter(patient_mrn="MRN-404")),
        )
    with app.uow() as uow:
        assert uow.audit_log.newest(limit=1)[0].sequence == before


def test_an_export_is_in_sequence_order(app: Thecal, clinic: dict[str, str]) -> None:
    actor = seed_user(app, username="auditor", role=Role.ADMIN).as_actor()
    page = app.run(
        export_audit_log, ExportAuditLog(actor=actor, filter=AuditFilter(user_id=clinic["nurse"]))
    )
    sequences = [e.sequence for e in page.entries]
    assert sequences == sorted(sequences)
    assert len(sequences) >= 3
    assert {e.actor for e in page.entries} == {clinic["nurse"]}
