"""Roles × endpoints × {own, foreign, collection} × {own, other care team} over HTTP: 0
unauthorised 2xx (SR-21); the other team's clinicians are ``physician-other`` and ``nurse-other``.

The expected grants are written here independently of the policy table. Each role (and an
anonymous caller) uses a real session cookie with its CSRF token, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import matrix_care_teams
import matrix_device
import matrix_device_events
import matrix_pathway
import matrix_scheduling
import matrix_tasks
import pytest
from api_support import (
    Clinic,
    TestClient,
    build_clinic,
    implant_pump_with_patient_bolus,
    logged_in,
    postgres_schema_url,
)

from thecal.domain.users import Actor, Role
from thecal.entrypoints.api.presenters.candidacy import candidacy_details
from thecal.entrypoints.api.schemas.candidacy import CandidacyCreate
from thecal.services.candidacy import RecordCandidacy, record_candidacy

CANDIDACY = {
    "indication": "failed_back_surgery_syndrome",
    "mechanism": "mixed",
    "breadth": "localized",
    "conservative_therapy_months": 12,
    "oral_medication_months": 12,
    "psych_evaluation": "cleared",
    "medications": [{"drug": "morphine", "daily_dose_mcg_per_day": "60000", "opioid": True}],
}


@dataclass(frozen=True)
class World:
    clinic: Clinic
    clients: dict[str, TestClient]
    assessments: dict[str, str]  # "own"/"foreign" → assessment id
    ids: dict[str, dict[str, str]]  # part object name → "own"/"foreign" → id (see matrix_parts)

    def patient(self, kind: str) -> str:
        return self.clinic.own_patient if kind == "own" else self.clinic.foreign_patient

    def patient_version(self, kind: str) -> int:
        with self.clinic.thecal.uow() as uow:
            found = uow.patients.get(self.patient(kind))
        assert found is not None
        return found.version

    def assessment_version(self, kind: str) -> int:
        with self.clinic.thecal.uow() as uow:
            found = uow.candidacy.get(self.assessments[kind])
        assert found is not None
        return found.version


Request = Callable[[World, str], tuple[str, str, dict[str, Any] | None]]


class _SignInOnFirstUse(dict[str, TestClient]):
    """Clients by role; a missing one (the other care team's) signs in when first asked for."""

    def __init__(self, clinic: Clinic, clients: dict[str, TestClient]) -> None:
        super().__init__(clients)
        self.clinic = clinic

    def __missing__(self, username: str) -> TestClient:
        client = self[username] = logged_in(self.clinic, username)
        return client


_counter = itertools.count(1)


def _register(_w: World, _kind: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "mrn": f"MTX-{next(_counter)}",
        "family_name": "Matrix",
        "given_names": "Mo",
        "birth_date": "1970-01-01",
        "sex": "other",
    }
    return "POST", "/api/v1/patients", body


ENDPOINTS: dict[str, tuple[str, Request]] = {
    "patient.search": (
        "collection",
        lambda _w, _k: ("GET", "/api/v1/patients?family_name=o", None),
    ),
    "patient.register": ("collection", _register),
    "patient.read": ("object", lambda w, k: ("GET", f"/api/v1/patients/{w.patient(k)}", None)),
    "patient.amend": (
        "object",
        lambda w, k: (
            "PATCH",
            f"/api/v1/patients/{w.patient(k)}",
            {"expected_version": w.patient_version(k), "given_names": f"Alex{next(_counter)}"},
        ),
    ),
    "candidacy.read": (
        "object",
        lambda w, k: ("GET", f"/api/v1/patients/{w.patient(k)}/candidacy", None),
    ),
    "candidacy.record": (
        "object",
        lambda w, k: ("POST", f"/api/v1/patients/{w.patient(k)}/candidacy", CANDIDACY),
    ),
    "candidacy.revise": (
        "object",
        lambda w, k: (
            "PUT",
            f"/api/v1/candidacy/{w.assessments[k]}",
            {**CANDIDACY, "expected_version": w.assessment_version(k)},
        ),
    ),
    "audit.read": ("collection", lambda _w, _k: ("GET", "/api/v1/audit?limit=5", None)),
    "audit.verify": ("collection", lambda _w, _k: ("POST", "/api/v1/audit/verify", None)),
    "users.list": ("collection", lambda _w, _k: ("GET", "/api/v1/users", None)),
    "users.create": (
        "collection",
        lambda _w, _k: (
            "POST",
            "/api/v1/users",
            {
                "username": f"new{next(_counter)}",
                "role": "nurse",
                "display_name": "New Nurse",
                "password": "a long enough password",
            },
        ),
    ),
    "users.token": (
        "collection",
        lambda w, _k: (
            "POST",
            f"/api/v1/users/{w.clinic.users[Role.NURSE]}/tokens",
            {"label": "matrix"},
        ),
    ),
    "pump.patient_bolus": (
        "collection",
        lambda _w, _k: ("POST", "/api/v1/pumps/mine/patient-bolus", None),
    ),
    "worklist.read": ("collection", lambda _w, _k: ("GET", "/api/v1/worklist", None)),
    "session.read": ("collection", lambda _w, _k: ("GET", "/api/v1/auth/session", None)),
}

_CLINICAL = {
    "patient.search", "patient.register", "patient.read", "patient.amend",
    "candidacy.read", "candidacy.record", "candidacy.revise", "session.read",
}  # fmt: skip
# role → endpoint → which objects: "any" (own, foreign and collections) or "own"
EXPECTED: dict[str, dict[str, str]] = {
    "physician": {
        **dict.fromkeys(_CLINICAL, "any"),
        "audit.verify": "any",
        "worklist.read": "any",
    },
    # the token operation targets the nurse's account: only the nurse may mint a token for it
    # (issue 15 §1: an administrator may not mint a working token for a clinician)
    "nurse": {**dict.fromkeys(_CLINICAL, "any"), "worklist.read": "any", "users.token": "any"},
    "pharmacist": dict.fromkeys(
        ("patient.search", "patient.read", "session.read", "worklist.read"), "any"
    ),
    "admin": dict.fromkeys(
        ("audit.read", "audit.verify", "users.list", "users.create", "session.read"),
        "any",
    ),
    "patient": {
        "patient.read": "own",
        "candidacy.read": "own",
        "session.read": "any",
        "pump.patient_bolus": "any",  # the endpoint only ever reaches the caller's own pump
    },
    "anonymous": {},
}

_PARTS = (  # prepared in this order: device events first (its prepare moves the clock past a
    # priming bolus), care teams last (its prepare puts every patient on the team "Matrix")
    matrix_device_events.PART,
    matrix_pathway.PART,
    matrix_device.PART,
    matrix_tasks.PART,
    matrix_scheduling.PART,
    matrix_care_teams.PART,
)
for _part in _PARTS:
    assert not set(_part.endpoints) & set(ENDPOINTS), "endpoint names must be unique"
    ENDPOINTS.update(_part.endpoints)
    for _role, _grants in _part.expected.items():
        EXPECTED[_role].update(_grants)
# the care-team dimension (SR-21): the same roles on another team reach no patient object
EXPECTED.update(
    matrix_care_teams.other_team_grants(
        EXPECTED, {name: shape for name, (shape, _) in ENDPOINTS.items()}
    )
)

CELLS = [
    (role, endpoint, kind)
    for role in EXPECTED
    for endpoint, (shape, _) in ENDPOINTS.items()
    for kind in (("own", "foreign") if shape == "object" else ("collection",))
]


def expected_allowed(role: str, endpoint: str, kind: str) -> bool:
    grant = EXPECTED[role].get(endpoint)
    return grant == "any" or (grant == "own" and kind == "own")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    urls: Iterator[str]
    if request.param == "sqlite":
        urls = iter([f"sqlite:///{tmp_path_factory.mktemp('matrix')}/thecal.db"])
    else:
        urls = postgres_schema_url()
    url = next(urls)
    clinic = build_clinic(url)
    physician = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    details = candidacy_details(CandidacyCreate.model_validate(CANDIDACY))
    assessments = {
        kind: clinic.thecal.run(
            record_candidacy,
            RecordCandidacy(actor=physician, patient_id=patient, details=details),
        ).id
        for kind, patient in (("own", clinic.own_patient), ("foreign", clinic.foreign_patient))
    }
    implant_pump_with_patient_bolus(clinic)  # the patient user's own pump
    ids: dict[str, dict[str, str]] = {}
    for part in _PARTS:
        ids.update(part.prepare(clinic))
    clients = {role.value: logged_in(clinic, role.value) for role in Role}
    clients = _SignInOnFirstUse(clinic, clients)  # the other team's: their session starts
    # with their cells (the matrix's clinic clock moves a second a cell: past any idle timeout)
    clients["anonymous"] = clinic.client()
    yield World(clinic=clinic, clients=clients, assessments=assessments, ids=ids)
    clinic.thecal.close()
    for _ in urls:  # finish the generator: drops the PostgreSQL schema
        pass


@pytest.mark.parametrize(("role", "endpoint", "kind"), CELLS)
def test_each_role_reaches_exactly_the_endpoints_its_role_allows(
    world: World, role: str, endpoint: str, kind: str
) -> None:
    world.clinic.clock.advance(seconds=1)  # sessions stay fresh (well inside the idle timeout)
    method, path, body = ENDPOINTS[endpoint][1](world, kind)
    response = world.clients[role].request(method, path, json=body)
    if expected_allowed(role, endpoint, kind):
        assert 200 <= response.status_code < 300, (role, endpoint, kind, response.text)
    else:
        assert response.status_code in {401, 403}, (role, endpoint, kind, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_the_matrix_covers_every_api_operation(world: World) -> None:
    app = world.clinic.app()
    schema = app.openapi()
    operations = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if path not in {"/api/v1/auth/login", "/api/v1/auth/logout"}
    }
    templated = set()
    for _, build in ENDPOINTS.values():
        method, path, _ = build(world, "own")
        placeholders = {  # as of this request: a builder may replace an object (a triage)
            world.clinic.own_patient: "{patient_id}",
            world.assessments["own"]: "{assessment_id}",
            world.clinic.users[Role.NURSE]: "{user_id}",
        }
        for name, objects in world.ids.items():
            placeholders[objects["own"]] = f"{{{name}}}"
        path = path.split("?")[0]
        for object_id, placeholder in placeholders.items():
            path = path.replace(object_id, placeholder)
        templated.add((method, path))
    assert operations <= templated, operations - templated
