"""`thecal demo seed` and `thecal demo seed-if-empty`: the demo clinic (development only).

``app`` is the whole `thecal demo` group: ``users`` from ``demo_users.py`` and the two seed
commands registered here.

Builds a realistic clinic by living through its last three years with the real use cases and
the pump twin (``services/demo``; docs/demo.md), then prints what it made and the demo users
with their passwords. It refuses a database that already holds patients (other than the demo
portal patient of ``thecal demo users``); ``seed-if-empty`` says so and exits 0 instead, for
``make run``. ``THECAL_ENV=production`` refuses both: the demo passwords are public.

Speed: the demo accounts are hashed with cheap Argon2 parameters (their passwords are public),
so the many re-authentications of the signed program changes do not cost 0.4 s each; the first
real log-in re-hashes them with the production parameters (``Identity.log_in``).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

import typer
from sqlalchemy import Engine, event

from thecal.adapters.clock import SystemClock
from thecal.adapters.passwords import Argon2PasswordHasher
from thecal.adapters.read_models.patient_ids import all_patient_ids
from thecal.bootstrap import Thecal, bootstrap, database_engine
from thecal.config import Settings, load_settings
from thecal.domain.date_plausibility import REPORT_DAY, check_date
from thecal.domain.errors import Conflict, RequestInvalid
from thecal.domain.users import Actor
from thecal.entrypoints.cli.db import Json, open_app
from thecal.entrypoints.cli.demo_users import (
    DEMO_PATIENT_MRN,
    DEMO_USERS,
    DemoUser,
    app,
    describe,
    ensure_demo_users,
)
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.progress import progress_bar
from thecal.services.demo import (
    DemoPatient,
    SeedClock,
    SeedDemoClinic,
    SeedSummary,
    Staff,
    first_day_of,
    seed_demo_clinic,
)
from thecal.services.demo.care_teams import seed_care_teams
from thecal.services.progress import Progress

__all__ = ["ClinicNotEmpty", "app", "run_seed", "seed_command", "seed_if_empty_command"]

DEFAULT_PATIENTS = 200
DEFAULT_SEED = 20260101


Patients = Annotated[
    int, typer.Option("--patients", min=1, max=100_000, help="How many patients (default 200).")
]
Seed = Annotated[int, typer.Option("--seed", help="The random seed: same seed, same clinic.")]
Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Seed as if today were this day (YYYY-MM-DD, not after today): reproducible runs.",
    ),
]


class ClinicNotEmpty(Conflict):
    code = "THC-DEMO-001"
    template = (
        "the database already holds {count} patient(s): the demo clinic is only seeded into an "
        "empty database (use a new THECAL_DATABASE_URL, or `thecal demo users` for accounts only)"
    )


def _today(text: str | None) -> dt.date:
    real = SystemClock().now().date()
    if text is None:
        return real
    try:
        chosen = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where="--today", detail="must be a date YYYY-MM-DD") from None
    if chosen > real:
        raise RequestInvalid(where="--today", detail=f"must not be after today ({real})")
    return check_date("--today", chosen, REPORT_DAY, today=real)


def _foreign_patients(thecal: Thecal) -> int:
    """Patients other than the demo portal patient."""
    with thecal.uow() as uow:
        demo = uow.patients.get_by_mrn(DEMO_PATIENT_MRN)
    demo_id = demo.id if demo is not None else None
    return sum(1 for ident in all_patient_ids(thecal.engine) if ident != demo_id)


def _staff(thecal: Thecal) -> tuple[Staff, DemoPatient]:
    actors: dict[str, Actor] = {}
    passwords: dict[str, str] = {}
    with thecal.uow() as uow:
        for demo in DEMO_USERS:
            user = uow.users.get_by_username(demo.username)
            if user is None:
                raise RequestInvalid(where="demo users", detail=f"{demo.username} is missing")
            actors[demo.username] = user.as_actor()
            passwords[user.id] = demo.password
        patient = uow.patients.get_by_mrn(DEMO_PATIENT_MRN)
    if patient is None:
        raise RequestInvalid(where="demo users", detail=f"patient {DEMO_PATIENT_MRN} is missing")
    staff = Staff(
        physician=actors["physician"],
        second_physician=actors["physician2"],
        nurse=actors["nurse"],
        pharmacist=actors["pharmacist"],
        administrator=actors["admin"],
        passwords=passwords,
    )
    portal = DemoPatient(patient_id=patient.id, mrn=patient.mrn, actor=actors["patient"])
    return staff, portal


def _seed_engine(settings: Settings) -> Engine:
    """The database engine, on SQLite with ``synchronous=NORMAL`` for the seed's connections.

    A seed is made again from nothing if it is interrupted (the refusal of a non-empty database
    says so), so it need not wait for every commit to reach the disk; WAL still keeps the file
    consistent. The server and every other command keep ``synchronous=FULL`` (SR-25).
    """
    engine = database_engine(settings)  # THC-CONF-001 for a URL it cannot use
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _relaxed_sync)
    return engine


def _relaxed_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def run_seed(
    *,
    patients: int,
    seed: int,
    today: dt.date,
    settings: Settings | None = None,
    only_if_empty: bool,
    progress: Progress | None = None,
) -> SeedSummary | None:
    """Migrate, create the demo users and seed the clinic; None when skipped (not empty).

    Raises:
        ClinicNotEmpty: the database holds other patients (and ``only_if_empty`` is False).
    """
    start = dt.datetime.combine(first_day_of(today), dt.time(7, 0), tzinfo=dt.UTC)
    clock = SeedClock(start)
    cheap = Argon2PasswordHasher(time_cost=1, memory_cost_kib=64)  # public demo passwords
    chosen = settings if settings is not None else load_settings()
    thecal = bootstrap(chosen, clock=clock, hasher=cheap, engine=_seed_engine(chosen))
    try:
        if thecal.settings.is_production:
            raise RequestInvalid(
                where="THECAL_ENV", detail="the demo clinic is refused in production"
            )
        thecal.upgrade_database()
        found = _foreign_patients(thecal)
        if found:
            if only_if_empty:
                return None
            raise ClinicNotEmpty(count=found)
        ensure_demo_users(thecal)
        staff, portal = _staff(thecal)
        summary = seed_demo_clinic(
            SeedDemoClinic(patients=patients, seed=seed, today=today),
            clinic=thecal,
            clock=clock,
            staff=staff,
            demo_patient=portal,
            progress=progress,
        )
        # two care teams (SR-21): every demo clinician keeps patients, a few are break-the-glass
        seed_care_teams(thecal, staff, list(all_patient_ids(thecal.engine)), portal.patient_id)
        return summary
    finally:
        thecal.close()


def _users(users: tuple[DemoUser, ...]) -> list[dict[str, str]]:
    return [{"username": u.username, "password": u.password, "role": u.role.value} for u in users]


def _document(summary: SeedSummary, seconds: float, users: tuple[DemoUser, ...]) -> dict[str, Any]:
    return {
        "patients": summary.patients,
        "period": {"first_day": summary.first_day, "last_day": summary.last_day},
        "seconds": round(seconds, 1),
        "counts": summary.counts,
        "patients_by_indication": summary.by_indication,
        "pumps_by_model": summary.pumps_by_model,
        "procedures_by_kind": summary.procedures_by_kind,
        "assessments_by_instrument": summary.assessments_by_instrument,
        "users": _users(users),
    }


def _lines(title: str, values: dict[str, int]) -> list[str]:
    width = max([34, *map(len, values)])
    return [title] + [f"  {name:<{width}} {count:>7}" for name, count in values.items()]


def _text(summary: SeedSummary, seconds: float) -> str:
    head = (
        f"demo clinic seeded: {summary.patients} patients, {summary.first_day} to "
        f"{summary.last_day}, in {seconds:.1f} s"
    )
    lines = [
        head,
        *_lines("records:", summary.counts),
        *_lines("intrathecal patients by indication:", summary.by_indication),
        *_lines("pumps by model:", summary.pumps_by_model),
        *_lines("procedures by kind:", summary.procedures_by_kind),
        *_lines("assessments by instrument:", summary.assessments_by_instrument),
        describe(),
    ]
    return "\n".join(lines)


def _seed(
    patients: int, seed: int, today: str | None, *, as_json: bool, only_if_empty: bool
) -> None:
    with translate_errors(as_json=as_json):
        began = time.perf_counter()
        with progress_bar("Seeding the demo clinic (days)", as_json=as_json) as progress:
            summary = run_seed(
                patients=patients,
                seed=seed,
                today=_today(today),
                only_if_empty=only_if_empty,
                progress=progress,
            )
        seconds = time.perf_counter() - began
        if summary is None:  # seed-if-empty on a clinic: the demo accounts, as after a seed
            message = "the database already holds patients: not seeding the demo clinic"
            with open_app() as thecal:
                created = ensure_demo_users(thecal)
            emit(
                {
                    "seeded": False,
                    "reason": message,
                    "created": [u.username for u in created],
                    "users": _users(DEMO_USERS),
                },
                f"{message}\n{describe()}",
                as_json=as_json,
            )
            return
        emit(
            {"seeded": True, **_document(summary, seconds, DEMO_USERS)},
            _text(summary, seconds),
            as_json=as_json,
        )


@app.command(name="seed")
def seed_command(
    patients: Patients = DEFAULT_PATIENTS,
    seed: Seed = DEFAULT_SEED,
    today: Today = None,
    as_json: Json = False,
) -> None:
    """Seed the demo clinic into an empty database (refuses one that holds patients)."""
    _seed(patients, seed, today, as_json=as_json, only_if_empty=False)


@app.command(name="seed-if-empty")
def seed_if_empty_command(
    patients: Patients = DEFAULT_PATIENTS,
    seed: Seed = DEFAULT_SEED,
    today: Today = None,
    as_json: Json = False,
) -> None:
    """Seed the demo clinic only if the database holds no patients yet (for `make run`)."""
    _seed(patients, seed, today, as_json=as_json, only_if_empty=True)
