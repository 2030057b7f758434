"""Support for the API and web tests: a wired thecal on a real database, a movable clock, the
demo roles, and logged-in TestClients.

The password hasher is real Argon2id with cheap parameters (tests verify hundreds of passwords).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from migrated_schema import migrate
from thecal.adapters.passwords import Argon2PasswordHasher
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings
from thecal.domain.admixture import Admixture
from thecal.domain.patient import Sex
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume
from thecal.domain.users import SERVICE_ROLES, Actor, Role
from thecal.entrypoints.api import create_app
from thecal.services.accounts import CreateUser
from thecal.services.clock import Clock
from thecal.services.patients import RegisterPatient, register_patient
from thecal.services.pumps import ImplantPump, implant_pump

with warnings.catch_warnings():  # starlette warns that it prefers httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = [
    "OPERATOR",
    "PASSWORD",
    "Clinic",
    "MovableClock",
    "TestClient",
    "build_clinic",
    "csrf_of",
    "implant_program",
    "implant_pump_with_patient_bolus",
    "logged_in",
    "postgres_schema_url",
]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

AUDIT_KEY = "e2e-audit-key-0123456789abcdef0123456789"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
FAST_HASHER = Argon2PasswordHasher(time_cost=1, memory_cost_kib=64)
OPERATOR = Actor(user_id="operator", role=Role.ADMIN)


class MovableClock:
    """A clock the test moves by hand."""

    def __init__(self, at: dt.datetime = START) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@dataclass
class Clinic:
    """A migrated database with one user per role and two patients (own and foreign)."""

    thecal: Thecal
    clock: MovableClock
    users: dict[Role, str]  # role → user id
    own_patient: str  # the patient user's own record
    foreign_patient: str

    def app(self) -> Any:
        return create_app(self.thecal)

    def client(self) -> TestClient:
        return TestClient(self.app(), base_url="http://testserver")


def build_clinic(
    database_url: str,
    *,
    clock: MovableClock | None = None,
    session_clock: Clock | None = None,
    **settings: Any,
) -> Clinic:
    """The clinic; ``session_clock`` measures sessions (default: ``clock``, as bootstrap's)."""
    moved = clock or MovableClock()
    configured = Settings(database_url=database_url, audit_key=AUDIT_KEY, env="test", **settings)  # type: ignore[arg-type]
    thecal = bootstrap(configured, clock=moved, hasher=FAST_HASHER, session_clock=session_clock)
    migrate(thecal.engine)
    users: dict[Role, str] = {}
    for role in (Role.PHYSICIAN, Role.NURSE, Role.PHARMACIST, Role.ADMIN):
        users[role] = _user(thecal, role.value, role)
    physician = Actor(user_id=users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    own = _patient(thecal, physician, "OWN-1", "Owens")
    foreign = _patient(thecal, physician, "FOREIGN-1", "Forde")
    users[Role.PATIENT] = _user(thecal, "patient", Role.PATIENT, patient_id=own)
    users[Role.INTEGRATION] = _user(thecal, "integration", Role.INTEGRATION)  # no password
    return Clinic(thecal=thecal, clock=moved, users=users, own_patient=own, foreign_patient=foreign)


def add_user(clinic: Clinic, username: str, role: Role) -> str:
    """One more account (password ``PASSWORD``), e.g. a second nurse to co-sign what the first
    proposed (the proposer may not co-sign, clinic policy on by default); returns its id."""
    return _user(clinic.thecal, username, role)


def _user(thecal: Thecal, username: str, role: Role, *, patient_id: str | None = None) -> str:
    user = thecal.run(
        thecal.accounts.create_user,
        CreateUser(
            actor=OPERATOR,
            username=username,
            role=role,
            display_name=f"{role.value.title()} Tester",
            password=None if role in SERVICE_ROLES else PASSWORD,
            patient_id=patient_id,
        ),
    )
    return user.id


def _patient(thecal: Thecal, actor: Actor, mrn: str, family: str) -> str:
    patient = thecal.run(
        register_patient,
        RegisterPatient(
            actor=actor,
            mrn=mrn,
            family_name=family,
            given_names="Alex",
            birth_date=dt.date(1960, 5, 17),
            sex=Sex.UNKNOWN,
            patient_id=str(uuid.uuid4()),
        ),
    )
    return patient.id


def logged_in(clinic: Clinic, username: str, password: str = PASSWORD) -> TestClient:
    """A client holding a fresh session cookie; its CSRF token is in ``client.headers``."""
    client = clinic.client()
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def csrf_of(client: TestClient) -> str:
    return str(client.headers["X-CSRF-Token"])


def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards; skip if no server."""
    server = os.environ.get("THECAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    schema = f"thecal_api_{uuid.uuid4().hex[:16]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {make_url(server)!r} is unreachable: {error.orig}")
    try:
        url = make_url(server).update_query_dict(
            {"options": f"-csearch_path={schema} -csynchronous_commit=off"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def implant_pump_with_patient_bolus(clinic: Clinic) -> str:
    """A SynchroMed II with morphine 25 mg/mL at 5 mg/day for the patient user's own record; its
    program allows a 0.1 mg patient bolus with a 4-hour lockout, 3 a day. Returns the pump id."""

    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    program = InfusionProgram.continuous(
        morphine,
        DoseRate.from_mg_per_day(Decimal(5)),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mg(Decimal("0.1")),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=3,
        ),
    )
    pump_id = implant_program(clinic, program, serial="NGP-E2E-001")
    clinic.clock.advance(hours=1)  # past the priming bolus, which blocks patient boluses
    return pump_id


def implant_program(clinic: Clinic, program: InfusionProgram, *, serial: str) -> str:
    """A SynchroMed II 20 mL (InDura 1P, 60 cm, tip at T10) in the patient user's own record,
    filled with 20 mL of ``program``'s admixture and running ``program``; its pump id. The clock
    is not moved (the priming bolus runs from now)."""
    result = clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN),
            patient_id=clinic.own_patient,
            pump_model_id="synchromed-ii-20",
            pump_serial=serial,
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=program.admixture,
            fill_volume=Volume.from_ml(20),
            initial_program=program,
        ),
    )
    return str(result.pump.id)
