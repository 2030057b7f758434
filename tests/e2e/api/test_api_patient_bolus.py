"""A patient asks their own pump for a bolus through the API: the pump decides (lockout)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Clinic, build_clinic, implant_pump_with_patient_bolus, logged_in

BOLUS = "/api/v1/pumps/mine/patient-bolus"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    implant_pump_with_patient_bolus(built)
    yield built
    built.thecal.close()


def test_a_second_bolus_inside_the_lockout_is_refused_by_the_pump(clinic: Clinic) -> None:
    patient = logged_in(clinic, "patient")
    first = patient.post(BOLUS)
    assert first.status_code == 200, first.text
    assert first.json()["granted"] is True, first.json()
    clinic.clock.advance(minutes=10)
    second = patient.post(BOLUS).json()
    assert second["granted"] is False
    assert second["reason"] == "lockout"
    clinic.clock.advance(hours=4)  # the lockout has passed (and so has the session)
    assert logged_in(clinic, "patient").post(BOLUS).json()["granted"] is True


def test_clinicians_cannot_press_the_patients_bolus_button(clinic: Clinic) -> None:
    for role in ("physician", "nurse", "pharmacist", "admin"):
        response = logged_in(clinic, role).post(BOLUS)
        assert response.status_code in {403, 404}, (role, response.text)


def test_a_pump_transferred_out_is_refused_a_bolus_and_an_interrogation_409(
    clinic: Clinic,
) -> None:
    with clinic.thecal.uow() as uow:
        (pump,) = uow.pumps.for_patient(clinic.own_patient)
    nurse = logged_in(clinic, "nurse")
    moved = nurse.post(
        "/api/v1/care-transfers",
        json={
            "pump_id": pump.id,
            "expected_pump_version": pump.version,
            "direction": "out",
            "clinic": "Northgate Pain Centre",
        },
    )
    assert moved.status_code in {200, 201}, moved.text
    with clinic.thecal.uow() as uow:
        commands = len(uow.device_log.boluses(pump.id))
        version = uow.pumps.get(pump.id).version  # type: ignore[union-attr]

    refused = logged_in(clinic, "patient").post(BOLUS)

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "THC-PATH-062"
    assert "is transferred: a patient bolus is not possible" in refused.json()["detail"]
    read = nurse.post(f"/api/v1/pumps/{pump.id}/interrogations")
    assert read.status_code == 409, read.text
    assert read.json()["code"] == "THC-PATH-062"
    assert "is transferred: an interrogation is not possible" in read.json()["detail"]
    with clinic.thecal.uow() as uow:  # nothing changed, no bolus logged
        assert len(uow.device_log.boluses(pump.id)) == commands
        assert uow.pumps.get(pump.id).version == version  # type: ignore[union-attr]
