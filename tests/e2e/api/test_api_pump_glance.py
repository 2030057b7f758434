"""The pump at a glance in the API's pump overview (issue 13 §1), on SQLite and PostgreSQL,
against hand-worked numbers.

The pump: a SynchroMed II 20 mL implanted at 09:00 with 20 mL of morphine 25 mg/mL at 5 mg/day,
a 0.1 mg patient bolus up to 3 a day, on a 60 cm InDura catheter (0.0026 mL/cm, placeholder [U]).

* flow = 5 mg/day ÷ 25 mg/mL = 0.2 mL/day; every bolus taken: 5 + 3 × 0.1 = 5.3 mg/day, 0.212 mL/day;
* catheter dead space = 60 cm × 0.0026 mL/cm = 0.156 mL; the implant primes it and the pump's
  0.2 mL tubing: 0.356 mL at the model's maximum 24 mL/day, that is 0.356/24 day;
* 10 days 1 h after the fill: 20 − 0.356 − 0.2 × (10 1/24 − 0.356/24) = 17.6386333… mL;
* the low-reservoir alarm (2 mL, S47) with every bolus taken: (20 − 0.356 − 2) ÷ 0.212 days after
  the priming; empty: (20 − 0.356) ÷ 0.212 days after it; the next refill 7 days before the alarm;
* end of service = implant + 2557 days (7 years, S50) = 2033-03-02; ERI 90 days earlier (S50).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import START, Clinic, build_clinic, implant_pump_with_patient_bolus
from api_support import logged_in as log_in
from test_api_device import _refill_body, _verification

from thecal.domain.units import Duration
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.simulation.faults import BatteryDepletion

API = "/api/v1"
PRIMING_ML = Decimal("0.2") + 60 * Decimal("0.0026")
PRIMING_DAYS = PRIMING_ML / 24


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _pump(clinic: Clinic, pump_id: str, role: str = "physician") -> dict[str, Any]:
    response = log_in(clinic, role).get(f"{API}/pumps/{pump_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _days_after(start: dt.datetime, days: Decimal) -> dt.datetime:
    return start + dt.timedelta(seconds=float(days * 86_400))


def _close(text: str, expected: dt.datetime) -> bool:
    return abs(_at(text) - expected) < dt.timedelta(seconds=1)


def test_the_overview_gives_the_morphine_pump_at_a_glance(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)  # the clock moves 1 h past the fill
    clinic.clock.advance(days=10)
    pump = _pump(clinic, pump_id)

    assert (pump["patient_name"], pump["patient_mrn"], pump["patient_birth_date"]) == (
        "Owens, Alex",
        "OWN-1",
        "1960-05-17",
    )
    (dose,) = pump["doses"]
    assert dose == {
        "drug": "morphine",
        "concentration": "25 mg/mL",
        "daily_dose": "5 mg/day",
        "worst_case_daily_dose": "5.3 mg/day",
    }
    assert (pump["flow"], pump["worst_case_flow"]) == ("0.2 mL/day", "0.212 mL/day")
    assert Decimal(pump["catheter_dead_space_ml"]) == Decimal("0.156")
    assert pump["catheter_dead_space_confirmed"] is False  # the Medtronic figure is a placeholder

    elapsed = 10 + Decimal(1) / 24
    now = 20 - PRIMING_ML - Decimal("0.2") * (elapsed - PRIMING_DAYS)
    assert Decimal(pump["reservoir_estimate_ml"]) == now.quantize(Decimal("0.0001"))
    primed = _days_after(START, PRIMING_DAYS)
    alarm = _days_after(primed, (20 - PRIMING_ML - 2) / Decimal("0.212"))
    empty = _days_after(primed, (20 - PRIMING_ML) / Decimal("0.212"))
    assert _close(pump["low_reservoir_alarm_at"], alarm)
    assert _close(pump["reservoir_empty_at"], empty)
    assert _close(pump["next_refill_due"], alarm - dt.timedelta(days=7))
    assert pump["next_refill_binding"] == "low-reservoir alarm (minus margin)"

    assert _at(pump["end_of_service_at"]) == dt.datetime(2033, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert _at(pump["eri_at"]) == dt.datetime(2032, 12, 2, 9, 0, tzinfo=dt.UTC)
    assert (pump["last_interrogated_at"], pump["battery"], pump["active_alarms"]) == (
        None,
        None,
        [],
    )
    assert (pump["pending_changes"], pump["last_refill"]) == (0, None)

    history = [(p["kind"], Decimal(p["volume_ml"])) for p in pump["reservoir_history"]]
    assert history == [
        ("filled", Decimal(20)),
        ("estimate now", now.quantize(Decimal("0.0001"))),
        ("projected low-reservoir alarm", Decimal(2)),
        ("projected empty", Decimal(0)),
    ]
    assert [p["daily_dose"] for p in pump["dose_history"]] == ["5 mg/day", "5 mg/day"]

    # a pharmacist reads the pump, not its program changes
    seen = _pump(clinic, pump_id, "pharmacist")
    assert (seen["pending_changes"], seen["dose_history"]) == (None, [])
    assert seen["reservoir_estimate_ml"] == pump["reservoir_estimate_ml"]


def test_an_interrogation_reports_the_alarms_and_battery_and_a_refill_its_reconciliation(
    clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    serial = _pump(clinic, pump_id)["serial"]
    # most of the battery's life lost at once: past its ERI, before its end of service (S50)
    clinic.thecal.run_device(
        configure_twin,
        ConfigureTwin(serial=serial, fault=BatteryDepletion(lost=Duration.days(2500))),
    )
    clinic.clock.advance(days=28)
    physician = log_in(clinic, "physician")
    assert physician.post(f"{API}/pumps/{pump_id}/interrogations").status_code == 201
    pump = _pump(clinic, pump_id)
    assert _at(pump["last_interrogated_at"]) == clinic.clock.now()
    assert pump["battery"] == "elective-replacement"
    codes = [(a["code"], a["priority"]) for a in pump["active_alarms"]]
    assert ("elective-replacement", "medium") in codes
    priorities = [a["priority"] for a in pump["active_alarms"]]
    assert priorities == sorted(priorities, key=["high", "medium", "low"].index)

    verified = _verification(log_in(clinic, "pharmacist"), pump_id)
    assert verified.status_code == 201, verified.text
    clinic.clock.advance(hours=1)
    refill = log_in(clinic, "nurse").post(
        f"{API}/pumps/{pump_id}/refills",
        json=_refill_body(verified.json()["id"], pump["version"]),
        headers={"Idempotency-Key": "glance-refill-01"},
    )
    assert refill.status_code == 201, refill.text
    done = refill.json()
    after = _pump(clinic, pump_id)
    last = after["last_refill"]
    assert (last["id"], last["completed_at"], last["filled_ml"]) == (
        done["id"],
        done["completed_at"],
        "20",
    )
    assert (last["expected_residual_ml"], last["withdrawn_residual_ml"], last["verdict"]) == (
        done["expected_residual_ml"],
        done["withdrawn_residual_ml"],
        done["verdict"],
    )
    assert Decimal(last["discrepancy_ml"]) == Decimal(done["expected_residual_ml"]) - Decimal(
        done["withdrawn_residual_ml"]
    )
    kinds = [(p["kind"], p["volume_ml"]) for p in after["reservoir_history"]]
    assert ("withdrawn at a refill", done["withdrawn_residual_ml"]) in kinds
    assert ("filled", "20") in kinds
