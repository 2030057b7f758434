"""`thecal demo users`: the five demo accounts with known passwords (never in production).

Creates, if missing, one account per role — physician, nurse, pharmacist, admin and a patient
linked to a demo patient record — and prints the usernames and passwords. Existing accounts are
left alone, so running it twice is harmless. ``THECAL_ENV=production`` refuses it: demo
passwords are public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import typer

from thecal.bootstrap import Thecal
from thecal.domain.errors import RequestInvalid
from thecal.domain.patient import Sex
from thecal.domain.users import Actor, Role
from thecal.entrypoints.cli.db import Json, open_app
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.users import OPERATOR
from thecal.services.accounts import CreateUser
from thecal.services.patients import RegisterPatient, register_patient

__all__ = ["DEMO_PATIENT_MRN", "DEMO_USERS", "DemoUser", "app", "ensure_demo_users"]

app = typer.Typer(no_args_is_help=True, help="Demo clinic helpers (development only).")


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoUser:
    username: str
    password: str
    role: Role
    display_name: str


# Public demo accounts (never created in production): username, password, role, display name.
_DEMO_TABLE = (
    ("physician", "Paula-demo-2026", Role.PHYSICIAN, "Dr Paula Physician"),
    ("physician2", "Peter-demo-2026", Role.PHYSICIAN, "Dr Peter Physician"),
    ("nurse", "Nick-demo-2026!", Role.NURSE, "Nick Nurse"),
    ("pharmacist", "Phil-demo-2026", Role.PHARMACIST, "Phil Pharmacist"),
    ("admin", "Ada-demo-2026!", Role.ADMIN, "Ada Admin"),
    ("patient", "Pat-demo-2026", Role.PATIENT, "Pat Patient"),
)
DEMO_USERS = tuple(
    DemoUser(username=name, password=secret, role=role, display_name=shown)
    for name, secret, role, shown in _DEMO_TABLE
)
DEMO_PATIENT_MRN = "DEMO-0001"


def ensure_demo_users(thecal: Thecal) -> list[DemoUser]:
    """Create the missing demo accounts (and the demo patient); return the ones created."""
    if thecal.settings.is_production:
        raise RequestInvalid(where="THECAL_ENV", detail="demo accounts are refused in production")
    created: list[DemoUser] = []
    ids: dict[Role, str] = {}
    for demo in DEMO_USERS:
        with thecal.uow() as uow:
            existing = uow.users.get_by_username(demo.username)
            patient = uow.patients.get_by_mrn(DEMO_PATIENT_MRN)
        if existing is not None:
            ids[demo.role] = existing.id
            continue
        patient_id = None
        if demo.role is Role.PATIENT:
            patient_id = patient.id if patient else _register_demo_patient(thecal, ids)
        user = thecal.run(
            thecal.accounts.create_user,
            CreateUser(
                actor=OPERATOR,
                username=demo.username,
                role=demo.role,
                display_name=demo.display_name,
                password=demo.password,
                patient_id=patient_id,
            ),
        )
        ids[demo.role] = user.id
        created.append(demo)
    return created


def _register_demo_patient(thecal: Thecal, ids: dict[Role, str]) -> str:
    physician = Actor(user_id=ids[Role.PHYSICIAN], role=Role.PHYSICIAN)
    patient = thecal.run(
        register_patient,
        RegisterPatient(
            actor=physician,
            mrn=DEMO_PATIENT_MRN,
            family_name="Demo",
            given_names="Pat",
            birth_date=dt.date(1961, 4, 3),
            sex=Sex.FEMALE,
        ),
    )
    return patient.id


def describe(users: tuple[DemoUser, ...] = DEMO_USERS) -> str:
    lines = [f"  {u.role.value:<11} username {u.username:<11} password {u.password}" for u in users]
    return "demo users:\n" + "\n".join(lines)


@app.command(name="users")
def users_command(as_json: Json = False) -> None:
    """Create the demo accounts if missing and print them with their passwords."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        created = ensure_demo_users(thecal)
        payload = {
            "created": [u.username for u in created],
            "users": [
                {"username": u.username, "password": u.password, "role": u.role.value}
                for u in DEMO_USERS
            ],
        }
        emit(payload, describe(), as_json=as_json)
