"""Every dose of a drug in its one display unit in the API's text fields (issue 13 §2), on SQLite
and PostgreSQL: morphine 0.5 mg/day reads "0.5 mg/day" (never "500 mcg/day") and its 0.05 mg
patient bolus "0.05 mg"; baclofen 50 mcg/day reads "50 mcg/day" and its 1 mg/mL "1000 mcg/mL",
whatever their size."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import Clinic, build_clinic, implant_program, logged_in

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, MassUnit

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def implant(clinic: Clinic, program: InfusionProgram, serial: str) -> str:
    """A SynchroMed II 20 mL running ``program``, past its priming bolus; its pump id."""
    pump_id = implant_program(clinic, program, serial=serial)
    clinic.clock.advance(hours=1)
    return pump_id


def morphine_half_mg(clinic: Clinic) -> str:
    """Morphine 1 mg/mL at 0.5 mg/day with a 0.05 mg patient bolus (0.5 mL/day)."""
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(1))
    program = InfusionProgram.continuous(
        morphine,
        DoseRate.from_mg_per_day(Decimal("0.5")),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mg(Decimal("0.05")),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=2,
        ),
    )
    return implant(clinic, program, "NGP-UNIT-MORPHINE")


def baclofen_50_mcg(clinic: Clinic) -> str:
    """Baclofen 1 mg/mL (1000 mcg/mL) at 50 mcg/day (0.05 mL/day)."""
    baclofen = Admixture.single("baclofen", Concentration.from_mg_per_ml(1))
    program = InfusionProgram.continuous(baclofen, DoseRate.of(50, MassUnit.MCG))
    return implant(clinic, program, "NGP-UNIT-BACLOFEN")


def _pump(clinic: Clinic, pump_id: str) -> dict[str, Any]:
    response = logged_in(clinic, "physician").get(f"{API}/pumps/{pump_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_morphine_half_a_milligram_a_day_reads_in_mg(clinic: Clinic) -> None:
    body = _pump(clinic, morphine_half_mg(clinic))
    program = body["program"]
    assert program["daily_dose"] == "0.5 mg/day"
    assert program["patient_bolus"]["dose"] == "0.05 mg"
    assert program["admixture"] == [{"drug": "morphine", "concentration": "1 mg/mL"}]
    assert ["step 1 rate", "0.5 mg/day"] in program["parameters"]
    assert ["patient bolus dose", "0.05 mg"] in program["parameters"]
    [dose] = body["doses"]
    assert dose["daily_dose"] == "0.5 mg/day"
    assert dose["worst_case_daily_dose"] == "0.6 mg/day"  # 0.5 + 2 × 0.05
    assert body["dose_history"]
    assert {p["daily_dose"] for p in body["dose_history"]} == {"0.5 mg/day"}
    assert "mcg" not in str(program) + str(body["doses"]) + str(body["dose_history"])


def test_baclofen_fifty_micrograms_a_day_reads_in_mcg(clinic: Clinic) -> None:
    body = _pump(clinic, baclofen_50_mcg(clinic))
    program = body["program"]
    assert program["daily_dose"] == "50 mcg/day"
    assert program["admixture"] == [{"drug": "baclofen", "concentration": "1000 mcg/mL"}]
    assert ["concentration baclofen", "1000 mcg/mL"] in program["parameters"]
    [dose] = body["doses"]
    assert dose["daily_dose"] == "50 mcg/day"
    assert dose["concentration"] == "1000 mcg/mL"
