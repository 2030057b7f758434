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
