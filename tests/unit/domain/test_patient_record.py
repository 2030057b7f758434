"""Patient and user records: validation, versioned amendments, identity."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.patient import (
    Contact,
    Demographics,
    DemographicsAmendment,
    Patient,
    PatientInvalid,
    Sex,
    StalePatientVersion,
)
from thecal.domain.users import Actor, Role, User, UserInvalid

AT = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
TODAY = AT.date()


def jane(**changes: object) -> Patient:
    fields: dict[str, object] = {
        "id": "p-1",
        "mrn": "MRN-0001",
        "demographics": Demographics(
            family_name="Doe", given_names="Jane", birth_date=dt.date(1961, 4, 3), sex=Sex.FEMALE
        ),
        "registered_at": AT,
    }
    fields.update(changes)
    return Patient(**fields)  # type: ignore[arg-type]


def test_a_new_patient_starts_at_version_one() -> None:
    assert jane().version == 1


def test_patients_are_equal_by_id_only() -> None:
    assert jane() == jane(mrn="MRN-9999")
    assert jane() != jane(id="p-2")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family_name", ""),
        ("given_names", " Jane"),
        ("family_name", "x" * 101),
        ("family_name", "Doe\n"),
    ],
)
def test_names_must_be_clean_text(field: str, value: str) -> None:
    base = {"family_name": "Doe", "given_names": "Jane"}
    base[field] = value
    with pytest.raises(PatientInvalid):
        Demographics(**base, birth_date=dt.date(1961, 4, 3), sex=Sex.FEMALE)  # type: ignore[arg-type]


def test_registration_time_must_be_timezone_aware() -> None:
    with pytest.raises(PatientInvalid):
        jane(registered_at=dt.datetime(2025, 1, 1))  # noqa: DTZ001 - the point of the test


def test_an_email_needs_an_at_sign() -> None:
    with pytest.raises(PatientInvalid):
        Contact(email="jane.example.org")


def test_an_amendment_changes_fields_bumps_the_version_and_reports_old_and_new() -> None:
    patient = jane()
    changes = patient.amend(
        DemographicsAmendment(given_names="Janet", contact=Contact(phone="555-0100")),
        expected_version=1,
        today=TODAY,
    )
    assert patient.version == 2
    assert patient.demographics.given_names == "Janet"
    assert {c.field: (c.old, c.new) for c in changes} == {
        "given_names": ("Jane", "Janet"),
        "contact": ("phone=; email=; address=", "phone=555-0100; email=; address="),
    }


def test_an_amendment_against_an_old_version_is_a_conflict_and_changes_nothing() -> None:
    patient = jane()
    with pytest.raises(StalePatientVersion) as caught:
        patient.amend(DemographicsAmendment(given_names="Janet"), expected_version=0, today=TODAY)
    assert caught.value.code == "THC-PAT-003"
    assert (patient.version, patient.demographics.given_names) == (1, "Jane")


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    with pytest.raises(PatientInvalid):
        jane().amend(DemographicsAmendment(), expected_version=1, today=TODAY)
    with pytest.raises(PatientInvalid):
        jane().amend(DemographicsAmendment(given_names="Jane"), expected_version=1, today=TODAY)


def test_a_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(PatientInvalid):
        jane().amend(
            DemographicsAmendment(birth_date=TODAY + dt.timedelta(days=1)),
            expected_version=1,
            today=TODAY,
        )


def test_a_patient_user_is_linked_to_exactly_one_patient() -> None:
    with pytest.raises(UserInvalid):
        Actor(user_id="u", role=Role.PATIENT)
    with pytest.raises(UserInvalid):
        Actor(user_id="u", role=Role.NURSE, patient_id="p-1")
    user = User(
        id="u-1",
        username="jdoe",
        role=Role.PATIENT,
        display_name="Jane",
        created_at=AT,
        patient_id="p-1",
    )
    assert user.as_actor() == Actor(user_id="u-1", role=Role.PATIENT, patient_id="p-1")
