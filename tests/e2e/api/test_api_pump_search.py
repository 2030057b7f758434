"""Listing and searching pumps over HTTP (issue 18 §3), on SQLite and PostgreSQL: by patient,
serial prefix, model and state, newest implant first, paged; a patient finds only their own; a
search naming another patient is refused, one naming no patient at all is 404."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.pumps import ImplantPump, implant_pump

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _implant_foreign(clinic: Clinic) -> str:
    baclofen = Admixture.single("baclofen", Concentration.from_mg_per_ml(Decimal("0.5")))
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN),
            patient_id=clinic.foreign_patient,
            pump_model_id="synchromed-ii-40",
            pump_serial="NGP-E2E-777",
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(55),
            catheter_tip_level="T10",
            initial_fill=baclofen,
            fill_volume=Volume.from_ml(40),
            initial_program=InfusionProgram.continuous(
                baclofen, DoseRate.from_mcg_per_day(Decimal(200))
            ),
        ),
    )
    clinic.clock.advance(hours=1)
    return str(result.pump.id)


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


def test_pumps_are_found_by_patient_serial_model_and_state(clinic: Clinic) -> None:
    own = implant_pump_with_patient_bolus(clinic)
    foreign = _implant_foreign(clinic)  # implanted later: listed first
    nurse = log_in(clinic, "nurse")
    everything = nurse.get(f"{API}/pumps")
    assert _ids(everything) == [foreign, own]
    assert everything.json()["total"] == 2
    first = everything.json()["items"][0]
    assert set(first) == {
        "id",
        "patient_id",
        "model_id",
        "serial",
        "implanted_at",
        "state",
        "version",
    }
    assert _ids(nurse.get(f"{API}/pumps", params={"patient_id": clinic.own_patient})) == [own]
    assert _ids(nurse.get(f"{API}/pumps", params={"serial": "NGP-E2E-7"})) == [foreign]
    assert _ids(nurse.get(f"{API}/pumps", params={"serial": "NGP-E2E"})) == [foreign, own]
    wildcard = nurse.get(f"{API}/pumps", params={"serial": "NGP-E2E-%"})
    assert wildcard.status_code == 422  # a serial is letters, digits, - and _: no wildcards
    assert _ids(nurse.get(f"{API}/pumps", params={"model_id": "synchromed-ii-20"})) == [own]
    assert _ids(nurse.get(f"{API}/pumps", params={"state": "active"})) == [foreign, own]
    assert _ids(nurse.get(f"{API}/pumps", params={"state": "explanted"})) == []
    both = {"model_id": "synchromed-ii-40", "patient_id": clinic.own_patient}
    assert _ids(nurse.get(f"{API}/pumps", params=both)) == []
    page = nurse.get(f"{API}/pumps", params={"limit": 1, "offset": 1})
    assert _ids(page) == [own]
    assert page.json()["total"] == 2
    bad = nurse.get(f"{API}/pumps", params={"state": "lost"})
    assert bad.status_code == 422
    pharmacist = log_in(clinic, "pharmacist")
    assert _ids(pharmacist.get(f"{API}/pumps")) == [foreign, own]


def test_a_patient_finds_only_their_own_pumps(clinic: Clinic) -> None:
    own = implant_pump_with_patient_bolus(clinic)
    _implant_foreign(clinic)
    patient = log_in(clinic, "patient")
    assert _ids(patient.get(f"{API}/pumps")) == [own]
    assert _ids(patient.get(f"{API}/pumps", params={"serial": "NGP-E2E-7"})) == []
    refused = patient.get(f"{API}/pumps", params={"patient_id": clinic.foreign_patient})
    assert refused.status_code == 403
    assert refused.json()["code"] == "THC-AUTH-001"


def test_a_search_for_an_unknown_patient_is_404_and_an_admin_may_not_search(
    clinic: Clinic,
) -> None:
    nurse = log_in(clinic, "nurse")
    missing = nurse.get(f"{API}/pumps", params={"patient_id": "no-such-patient"})
    assert missing.status_code == 404, missing.text
    admin = log_in(clinic, "admin")
    assert admin.get(f"{API}/pumps").status_code == 403
