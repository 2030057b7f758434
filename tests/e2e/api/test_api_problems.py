"""Errors are RFC 9457 problem documents with thecal's stable code; the records API works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Clinic, build_clinic, logged_in


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "fields", "findings"}


def test_an_unknown_patient_is_a_404_problem_naming_the_code_and_the_request(
    clinic: Clinic,
) -> None:
    response = logged_in(clinic, "physician").get("/api/v1/patients/no-such-patient")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["code"] == "THC-PAT-002"
    assert body["type"].endswith("#THC-PAT-002")
    assert body["title"] == "Not Found"
    assert body["instance"] == "/api/v1/patients/no-such-patient"
    assert "no-such-patient" in body["detail"]


def test_a_malformed_body_is_a_422_problem_listing_each_field(clinic: Clinic) -> None:
    response = logged_in(clinic, "physician").post(
        "/api/v1/patients", json={"mrn": "", "sex": "robot"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "THC-INPUT-002"
    assert {"body.mrn", "body.sex", "body.family_name"} <= set(body["fields"])


def test_a_domain_refusal_keeps_its_own_code(clinic: Clinic) -> None:
    client = logged_in(clinic, "nurse")
    body = {
        "mrn": "DUP-1", "family_name": "Dup", "given_names": "D",
        "birth_date": "1980-02-02", "sex": "female",
    }  # fmt: skip
    assert client.post("/api/v1/patients", json=body).status_code == 201
    duplicate = client.post("/api/v1/patients", json=body)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "THC-PAT-004"
    future = client.post(
        "/api/v1/patients", json={**body, "mrn": "F-1", "birth_date": "2999-01-01"}
    )
    assert future.status_code == 422
    assert future.json()["code"] == "THC-PAT-001"


def test_a_stale_amendment_is_a_409_conflict(clinic: Clinic) -> None:
    client = logged_in(clinic, "nurse")
    url = f"/api/v1/patients/{clinic.own_patient}"
    assert client.patch(url, json={"expected_version": 1, "given_names": "Bo"}).status_code == 200
    stale = client.patch(url, json={"expected_version": 1, "given_names": "Cy"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "THC-PAT-003"


def test_an_unauthenticated_call_is_a_401_problem_with_a_challenge(clinic: Clinic) -> None:
    response = clinic.client().get("/api/v1/patients?family_name=o")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "THC-AUTH-013"


def test_a_candidacy_assessment_round_trips_with_its_mme_and_concerns(clinic: Clinic) -> None:
    client = logged_in(clinic, "physician")
    body = {
        "indication": "failed_back_surgery_syndrome",
        "mechanism": "neuropathic",
        "breadth": "diffuse",
        "conservative_therapy_months": 3,
        "oral_medication_months": 12,
        "psych_evaluation": "pending",
        "medications": [
            {"drug": "oxycodone", "daily_dose_mcg_per_day": "40000", "opioid": True},
            {"drug": "gabapentin", "daily_dose_mcg_per_day": "1800000", "opioid": False},
        ],
    }
    created = client.post(f"/api/v1/patients/{clinic.own_patient}/candidacy", json=body)
    assert created.status_code == 201, created.text
    assessment = created.json()
    assert assessment["total_mme_mg_per_day"] == "60"  # oxycodone 40 mg × 1.5 (CDC 2022)
    assert assessment["mme_table_id"] == "cdc-2022"
    assert assessment["concerns"]  # 3 months of conservative care, psych pending
    listed = client.get(f"/api/v1/patients/{clinic.own_patient}/candidacy").json()["items"]
    assert [a["id"] for a in listed] == [assessment["id"]]


def test_the_audit_log_pages_backwards_with_a_cursor(clinic: Clinic) -> None:
    admin = logged_in(clinic, "admin")
    first = admin.get("/api/v1/audit?limit=3").json()
    assert len(first["items"]) == 3
    sequences = [e["sequence"] for e in first["items"]]
    assert sequences == sorted(sequences, reverse=True)
    older = admin.get(f"/api/v1/audit?limit=3&before_sequence={first['next_before_sequence']}")
    assert max(e["sequence"] for e in older.json()["items"]) < min(sequences)
    assert admin.post("/api/v1/audit/verify").json()["ok"] is True


def test_a_query_parameter_given_twice_is_refused_by_name_before_anything_runs(
    clinic: Clinic,
) -> None:
    client = logged_in(clinic, "nurse")
    before = client.get("/api/v1/worklist?limit=5")
    assert before.status_code == 200
    twice = client.get("/api/v1/worklist?limit=5&offset=0&limit=50")
    assert twice.status_code == 422
    assert twice.headers["content-type"] == "application/problem+json"
    body = twice.json()
    assert set(body) == PROBLEM_KEYS
    assert body["code"] == "THC-INPUT-002"
    assert body["fields"]["where"] == "query.limit"
    assert body["instance"] == "/api/v1/worklist"
    # refused before authentication too: an anonymous caller learns nothing more than that
    anonymous = clinic.client().get("/api/v1/worklist?kind=refill-due&kind=low-reservoir")
    assert anonymous.status_code == 422
    assert anonymous.json()["fields"]["where"] == "query.kind"


def test_the_openapi_document_names_the_ways_to_authenticate_on_every_operation_but_log_in(
    clinic: Clinic,
) -> None:
    schema = clinic.client().get("/api/v1/openapi.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyCookie"}
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["components"]["securitySchemes"]["APIKeyCookie"]["in"] == "cookie"
    public = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                public.add((method, path))
            elif path.endswith(("/signature", "/co-signature")):  # a person at a screen (SR-16)
                assert operation["security"] == [{"APIKeyCookie": []}]
            else:
                assert operation["security"] == [{"HTTPBearer": []}, {"APIKeyCookie": []}]
    assert public == {("post", "/api/v1/auth/login")}
    # and a documented requirement is a real one: no cookie, no token, no answer
    assert clinic.client().get("/api/v1/worklist").status_code == 401
