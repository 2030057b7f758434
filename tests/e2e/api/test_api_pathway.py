"""The clinical pathway over HTTP: trial, implant, assessments, procedures and MRI, with real
session cookies and CSRF tokens, on SQLite and PostgreSQL.

Clinical numbers: morphine trial bolus range 0.1–0.5 mg (drug library, S1); observation after an
IT morphine trial 24 h by default (label, S4); success ≥ 50 % pain reduction (S42); a Prometra II
must be emptied before MRI (S58, S59; SR-15).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import Clinic, TestClient, build_clinic, logged_in
from sqlalchemy import func, select

from thecal.adapters.sql.tables.mri import mri_plans
from thecal.domain.library import reference_library
from thecal.domain.units import plain
from thecal.domain.users import Role

API = "/api/v1"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _as(clinic: Clinic, role: str) -> TestClient:
    """A fresh session (the clock moves past the idle timeout between steps)."""
    return logged_in(clinic, role)


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _trial_body(dose: str = "0.3 mg", **extra: Any) -> dict[str, Any]:
    return {
        "drug_id": "morphine",
        "dose": dose,
        "spinal_level": "L3-L4",
        "baseline": {"pain_nrs": 8, "function_score": 30},
        **extra,
    }


def _implant_body(serial: str, **extra: Any) -> dict[str, Any]:
    return {
        "pump_model_id": "prometra-ii-20",
        "pump_serial": serial,
        "catheter_model_id": "prometra-catheter",
        "catheter_length_cm": "50",
        "catheter_tip_level": "T10",
        "admixture": [{"drug_id": "morphine", "concentration": "25 mg/mL"}],
        "fill_volume": "20 mL",
        "daily_dose": "5 mg/day",
        **extra,
    }


def _trials(clinic: Clinic, patient_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        _as(clinic, "physician").get(f"{API}/patients/{patient_id}/trials").json()["items"]
    )
    return items


def _pumps_of(clinic: Clinic, patient_id: str) -> list[str]:
    with clinic.thecal.uow() as uow:
        return [p.id for p in uow.pumps.for_patient(patient_id)]


# ----------------------------------------------------------------------------- trial


def test_a_morphine_trial_goes_from_plan_to_an_implant_decision(clinic: Clinic) -> None:
    patient = clinic.own_patient
    planned = _as(clinic, "physician").post(f"{API}/patients/{patient}/trials", json=_trial_body())
    assert planned.status_code == 201, planned.text
    trial = planned.json()
    assert (trial["state"], trial["version"], trial["dose_mcg"]) == ("planned", 1, "300")
    assert trial["observation_period_hours"] == "24"  # the label default (S4)
    assert [t["id"] for t in _trials(clinic, patient)] == [trial["id"]]
    url = f"{API}/trials/{trial['id']}"

    clinic.clock.advance(minutes=10)
    given = _as(clinic, "physician").post(f"{url}/administration", json={"expected_version": 1})
    assert given.status_code == 200, given.text
    assert given.json()["state"] == "administered"

    clinic.clock.advance(hours=4)
    nurse = _as(clinic, "nurse")
    observed = nurse.post(
        f"{url}/observations",
        json={
            "pain_nrs": 3,
            "function_score": 50,
            "sedation": "1",
            "vitals": {
                "respiratory_rate_per_min": 14,
                "spo2_pct": 97,
                "heart_rate_per_min": 72,
                "systolic_bp_mmhg": 128,
            },
            "side_effects": ["pruritus"],
        },
    )
    assert observed.status_code == 201, observed.text
    version = observed.json()["version"]
    assert observed.json()["observations"][0]["pain_nrs"] == 3

    early = nurse.post(f"{url}/discharge", json={"expected_version": version})
    _problem(early, 409, "THC-PATH-031")  # 4 h after the dose, the period is 24 h
    assert nurse.get(url).json()["state"] == "administered"

    clinic.clock.advance(hours=21)
    nurse = _as(clinic, "nurse")
    later = nurse.post(  # relief still there 21 h later: sustained ≥ 8 h (S40)
        f"{url}/observations",
        json={
            "pain_nrs": 3,
            "sedation": "1",
            "vitals": {
                "respiratory_rate_per_min": 14,
                "spo2_pct": 97,
                "heart_rate_per_min": 72,
                "systolic_bp_mmhg": 128,
            },
        },
    )
    assert later.status_code == 201, later.text
    version = later.json()["version"]
    discharged = nurse.post(f"{url}/discharge", json={"expected_version": version})
    assert discharged.status_code == 200, discharged.text
    version = discharged.json()["version"]

    physician = _as(clinic, "physician")
    evaluation = physician.get(f"{url}/evaluation").json()
    assert evaluation["pain_reduction_pct"] == "62.5"  # 8 → 3
    assert evaluation["success"] is True
    assert evaluation["function_change"] == 20

    decision = {"decision": "implant", "rationale": "62.5 % relief, function up"}
    stale = physician.post(f"{url}/decision", json={**decision, "expected_version": version - 1})
    assert "expected_version" in _problem(stale, 422, "THC-INPUT-002")["fields"]["where"]
    assert physician.get(url).json()["state"] == "discharged"
    decided = physician.post(f"{url}/decision", json={**decision, "expected_version": version})
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "implant"
    assert decided.json()["evaluation"]["success"] is True


def test_a_trial_dose_outside_the_range_needs_a_written_override_naming_the_finding(
    clinic: Clinic,
) -> None:
    physician = _as(clinic, "physician")
    url = f"{API}/patients/{clinic.foreign_patient}/trials"
    refused = physician.post(url, json=_trial_body("1 mg"))  # above 0.5 mg (S1)
    body = _problem(refused, 422, "THC-TRIAL-002")
    assert [(f["code"], f["severity"]) for f in body["findings"]] == [("ITS-TRIAL-001", "override")]
    assert "ITS-TRIAL-001" in body["fields"]["codes"]
    assert _trials(clinic, clinic.foreign_patient) == []

    override = {
        "finding_code": "ITS-TRIAL-001",
        "reason": "tolerance-documented",
        "text": "on 60 mg/day oral morphine",
    }
    planned = physician.post(url, json=_trial_body("1 mg", overrides=[override]))
    assert planned.status_code == 201, planned.text
    assert "ITS-TRIAL-001" in [f["code"] for f in planned.json()["findings"]]


def test_a_trial_for_a_patient_with_an_active_infection_is_blocked_naming_the_finding(
    clinic: Clinic,
) -> None:
    physician = _as(clinic, "physician")
    candidacy = {
        "indication": "failed_back_surgery_syndrome",
        "mechanism": "mixed",
        "breadth": "localized",
        "conservative_therapy_months": 12,
        "oral_medication_months": 12,
        "psych_evaluation": "cleared",
        "contraindications": ["active_infection"],
    }
    recorded = physician.post(f"{API}/patients/{clinic.own_patient}/candidacy", json=candidacy)
    assert recorded.status_code == 201, recorded.text
    blocked = physician.post(f"{API}/patients/{clinic.own_patient}/trials", json=_trial_body())
    body = _problem(blocked, 422, "THC-PUMP-010")
    assert [(f["code"], f["severity"]) for f in body["findings"]] == [("ITS-CONTRA-002", "block")]
    assert _trials(clinic, clinic.own_patient) == []


def test_only_a_physician_plans_a_trial(clinic: Clinic) -> None:
    refused = _as(clinic, "nurse").post(
        f"{API}/patients/{clinic.own_patient}/trials", json=_trial_body()
    )
    _problem(refused, 403, "THC-AUTH-001")
    assert _trials(clinic, clinic.own_patient) == []


@pytest.mark.parametrize(
    ("dose", "code"),
    [
        ("0.3", "THC-QTY-005"),  # no unit
        (".3 mg", "THC-QTY-002"),  # naked decimal
        ("300 mcg/mL", "THC-QTY-012"),  # a concentration where a mass is due
        ("0,3 mg", "THC-QTY-003"),
    ],
)
def test_an_ambiguous_trial_dose_is_refused_with_its_own_code_and_nothing_is_planned(
    clinic: Clinic, dose: str, code: str
) -> None:
    refused = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/trials", json=_trial_body(dose)
    )
    body = _problem(refused, 422, code)
    assert body["fields"]["where"] == "body.dose"
    assert _trials(clinic, clinic.own_patient) == []


def test_a_float_where_a_dose_text_is_due_is_refused(clinic: Clinic) -> None:
    refused = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/trials", json={**_trial_body(), "dose": 0.3}
    )
    assert "body.dose" in _problem(refused, 422, "THC-INPUT-002")["fields"]


# ----------------------------------------------------------------------------- implant


def test_an_implant_creates_the_pump_and_primes_it_through_the_driver(clinic: Clinic) -> None:
    response = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/implants", json=_implant_body("PII-API-1")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert _pumps_of(clinic, clinic.own_patient) == [body["pump_id"]]
    assert (body["serial"], body["pump_version"]) == ("PII-API-1", 1)
    assert body["daily_dose_mcg_per_day"] == "5000"
    assert body["program_ack"] == "acknowledged"
    library = reference_library()
    expected = (
        library.catheter("prometra-catheter").dead_space(Decimal(50))
        + library.pump("prometra-ii-20").internal_volume.value
    )
    assert body["priming_volume_ml"] == plain(expected.ml)
    with clinic.thecal.uow() as uow:
        kinds = [c.kind for c in uow.device_commands.for_serial("PII-API-1")]
    assert kinds == ["implant", "inject", "program", "priming-bolus"]

    again = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.foreign_patient}/implants", json=_implant_body("PII-API-1")
    )
    _problem(again, 409, "THC-PUMP-003")
    assert _pumps_of(clinic, clinic.foreign_patient) == []


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        ({"fill_volume": "0.5"}, "body.fill_volume", "THC-QTY-005"),
        ({"fill_volume": ".5 mL"}, "body.fill_volume", "THC-QTY-002"),
        ({"daily_dose": "5 mg"}, "body.daily_dose", "THC-QTY-012"),  # mass, not mg/day
        (
            {"admixture": [{"drug_id": "morphine", "concentration": "25 mg"}]},
            "body.admixture.0.concentration",
            "THC-QTY-012",
        ),
    ],
)
def test_a_malformed_implant_quantity_is_refused_and_no_pump_exists(
    clinic: Clinic, change: dict[str, Any], where: str, code: str
) -> None:
    refused = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/implants", json=_implant_body("PII-BAD", **change)
    )
    assert _problem(refused, 422, code)["fields"]["where"] == where
    assert _pumps_of(clinic, clinic.own_patient) == []
    with clinic.thecal.uow() as uow:
        assert list(uow.device_commands.for_serial("PII-BAD")) == []


def test_a_nurse_may_not_implant(clinic: Clinic) -> None:
    refused = _as(clinic, "nurse").post(
        f"{API}/patients/{clinic.own_patient}/implants", json=_implant_body("PII-NURSE")
    )
    _problem(refused, 403, "THC-AUTH-001")
    assert _pumps_of(clinic, clinic.own_patient) == []


# ----------------------------------------------------------------------------- records


def test_procedures_and_assessments_are_recorded_scored_listed_and_paged(clinic: Clinic) -> None:
    patient = clinic.own_patient
    nurse = _as(clinic, "nurse")
    today = clinic.clock.now().date()
    procedure = nurse.post(
        f"{API}/patients/{patient}/procedures",
        json={
            "kind": "epidural_steroid_injection",
            "performed_on": (today - dt.timedelta(days=30)).isoformat(),
            "indication": "L-RAD",
        },
    )
    assert procedure.status_code == 201, procedure.text
    procedure_id = procedure.json()["id"]
    assert procedure.json()["performer_id"] == clinic.users[Role.NURSE]  # default: the recorder
    listed = nurse.get(f"{API}/patients/{patient}/procedures").json()
    assert [p["id"] for p in listed["items"]] == [procedure_id]

    baseline = nurse.post(
        f"{API}/patients/{patient}/assessments",
        json={
            "instrument": "nrs",
            "answers": {"pain": 8},
            "assessed_on": (today - dt.timedelta(days=31)).isoformat(),
            "procedure_id": procedure_id,
        },
    )
    assert baseline.status_code == 201, baseline.text
    assert baseline.json()["days_after_procedure"] == -1
    diary = _as(clinic, "patient").post(
        f"{API}/patients/{patient}/assessments",
        json={"instrument": "nrs", "answers": {"pain": 3}, "assessed_on": today.isoformat()},
    )
    assert diary.status_code == 201, diary.text
    assert diary.json()["pain_nrs"] == "3"

    page = _as(clinic, "patient").get(f"{API}/patients/{patient}/assessments?limit=1&offset=1")
    assert page.status_code == 200, page.text
    assert (page.json()["total"], [a["pain_nrs"] for a in page.json()["items"]]) == (2, ["3"])


def test_a_refused_answer_keeps_its_instrument_code_and_nothing_is_recorded(
    clinic: Clinic,
) -> None:
    nurse = _as(clinic, "nurse")
    url = f"{API}/patients/{clinic.own_patient}/assessments"
    day = clinic.clock.now().date().isoformat()
    refused = nurse.post(
        url, json={"instrument": "nrs", "answers": {"pain": 11}, "assessed_on": day}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"].startswith("THC-PRO-")
    assert nurse.get(url).json()["total"] == 0


def test_a_patient_records_only_their_own_diary(clinic: Clinic) -> None:
    patient = _as(clinic, "patient")
    body = {
        "instrument": "nrs",
        "answers": {"pain": 5},
        "assessed_on": clinic.clock.now().date().isoformat(),
    }
    foreign = patient.post(f"{API}/patients/{clinic.foreign_patient}/assessments", json=body)
    _problem(foreign, 403, "THC-AUTH-001")
    own = _as(clinic, "nurse").get(f"{API}/patients/{clinic.foreign_patient}/assessments")
    assert own.json()["total"] == 0


# ----------------------------------------------------------------------------- MRI


def test_an_mri_with_a_prometra_is_emptied_cleared_scanned_and_puts_a_task_on_the_worklist(
    clinic: Clinic,
) -> None:
    implanted = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/implants", json=_implant_body("PII-MRI-1")
    )
    assert implanted.status_code == 201, implanted.text
    pump_id = implanted.json()["pump_id"]
    scan_at = clinic.clock.now() + dt.timedelta(hours=3)
    planned = _as(clinic, "nurse").post(
        f"{API}/pumps/{pump_id}/mri-plans",
        json={"scan_at": scan_at.isoformat(), "field_strength_t": "1.5"},
    )
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    assert (plan["state"], plan["emptying_required"]) == ("planned", True)
    url = f"{API}/mri-plans/{plan['id']}"

    physician = _as(clinic, "physician")
    not_emptied = physician.post(f"{url}/clearance")
    _problem(not_emptied, 409, "THC-PATH-051")  # SR-15: empty a Prometra before MRI
    stale = physician.post(f"{url}/emptying", json={"expected_pump_version": 7})
    _problem(stale, 409, "THC-PUMP-002")
    assert physician.get(url).json()["state"] == "planned"

    emptied = physician.post(f"{url}/emptying", json={"expected_pump_version": 1})
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["state"] == "emptied"
    assert Decimal(emptied.json()["emptied_volume_ml"]) > 0
    cleared = physician.post(f"{url}/clearance")
    assert cleared.status_code == 200, cleared.text
    planned_due = dt.datetime.fromisoformat(cleared.json()["post_mri_task"]["due"])

    clinic.clock.advance(hours=4)  # the scan ran an hour late
    scanned = _as(clinic, "nurse").post(f"{url}/scan")
    assert scanned.status_code == 200, scanned.text
    task = scanned.json()["post_mri_task"]
    due = dt.datetime.fromisoformat(task["due"])
    assert due - planned_due == dt.timedelta(hours=1)  # re-dated from the actual scan
    assert "refill and restart the emptied pump" in task["reason"]

    rows = _as(clinic, "nurse").get(f"{API}/worklist?kind=post-mri-interrogation").json()["items"]
    assert [(r["patient_id"], dt.datetime.fromisoformat(r["due"])) for r in rows] == [
        (clinic.own_patient, due)
    ]


def test_a_bad_mri_plan_is_refused_and_nothing_is_planned(clinic: Clinic) -> None:
    implanted = _as(clinic, "physician").post(
        f"{API}/patients/{clinic.own_patient}/implants", json=_implant_body("PII-MRI-2")
    )
    pump_id = implanted.json()["pump_id"]
    nurse = _as(clinic, "nurse")
    soon = (clinic.clock.now() + dt.timedelta(hours=3)).isoformat()
    naked = nurse.post(
        f"{API}/pumps/{pump_id}/mri-plans", json={"scan_at": soon, "field_strength_t": ".5"}
    )
    assert "body.field_strength_t" in _problem(naked, 422, "THC-INPUT-002")["fields"]
    past = (clinic.clock.now() - dt.timedelta(hours=1)).isoformat()
    _problem(
        nurse.post(
            f"{API}/pumps/{pump_id}/mri-plans", json={"scan_at": past, "field_strength_t": "1.5"}
        ),
        422,
        "THC-INPUT-002",
    )
    missing = nurse.post(
        f"{API}/pumps/no-such-pump/mri-plans", json={"scan_at": soon, "field_strength_t": "1.5"}
    )
    assert missing.status_code == 404, missing.text
    with clinic.thecal.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mri_plans)).scalar() == 0
