"""Plausible dates at every edge (issue 15 §5): year 1, year 9999 and (for a birth date) a day
after today are refused on the API (422 naming the field, nothing stored), on the web forms (422,
the form again with what was typed and the message) and on the command line (exit 2, the message,
no traceback); a plausible control date goes through on each. The windows themselves are unit
tested in ``tests/unit/domain/test_date_plausibility.py``.

The API and the web run on SQLite and PostgreSQL (one clinic per database for the module); the
command line on SQLite, like its neighbours in ``tests/e2e/cli_pathway``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from api_support import (
    AUDIT_KEY,
    OPERATOR,
    Clinic,
    build_clinic,
    implant_program,
    logged_in,
    postgres_schema_url,
)
from sqlalchemy import func, select
from sqlalchemy.sql.schema import Table
from test_web_pages import browser_login, form_token
from typer.testing import CliRunner

from thecal.adapters.sql.tables.appointments import appointments
from thecal.adapters.sql.tables.assessments import assessments
from thecal.adapters.sql.tables.calendars import calendar_closures
from thecal.adapters.sql.tables.device_event_records import device_event_records
from thecal.adapters.sql.tables.mri import mri_plans
from thecal.adapters.sql.tables.patients import patients
from thecal.adapters.sql.tables.pharmacy import pharmacy_verifications
from thecal.adapters.sql.tables.procedures import procedures
from thecal.adapters.sql.tables.trials import trial_observations, trials
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.scheduling import Location, WorkingHours
from thecal.domain.trial import TrialBaseline, TrialObservation, TrialRoute
from thecal.domain.units import Concentration, DoseRate, Mass
from thecal.domain.users import Actor, Role
from thecal.entrypoints.cli.main import app as cli
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    put_room,
    set_working_hours,
)
from thecal.services.trials import (
    AdministerTrial,
    ObserveTrial,
    PlanTrial,
    administer_trial,
    observe_trial,
    plan_trial,
)

API = "/api/v1"
ROOM = "dates-room"
#: The refused values: (label, the day given the clinic's today). A future birth date is
#: refused for birth dates only (other dates have their own future windows).
YEAR_1 = ("year 1", lambda _today: dt.date(1, 6, 1))
YEAR_9999 = ("year 9999", lambda _today: dt.date(9999, 6, 1))
FUTURE = ("future birth date", lambda today: today + dt.timedelta(days=30))
ALWAYS = (YEAR_1, YEAR_9999)
BIRTH = (YEAR_1, YEAR_9999, FUTURE)


# ----------------------------------------------------------------------------- the clinic


@dataclass
class Place:
    """A clinic with what the date fields need: a pump, an administered trial, a room."""

    clinic: Clinic
    pump_id: str
    trial_id: str
    read_trial_id: str  # a trial with one pain score, at read_at (the read-out's control)
    read_at: dt.datetime

    @property
    def now(self) -> dt.datetime:
        return self.clinic.clock.now()

    def count(self, table: Table) -> int:
        with self.clinic.thecal.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _physician(clinic: Clinic) -> Actor:
    return Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def _implant(clinic: Clinic, serial: str) -> str:
    morphine = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
    program = InfusionProgram.continuous(morphine, DoseRate.from_mg_per_day(Decimal(5)))
    return implant_program(clinic, program, serial=serial)


def _administered_trial(clinic: Clinic) -> str:
    run = clinic.thecal.run
    planned = run(
        plan_trial,
        PlanTrial(
            actor=_physician(clinic),
            patient_id=clinic.own_patient,
            drug_id="morphine",
            dose=Mass.from_mg(Decimal("0.3")),
            route=TrialRoute.IT_BOLUS,
            spinal_level="L3-L4",
            baseline=TrialBaseline(at=clinic.clock.now(), pain_nrs=8),
        ),
    ).trial
    run(
        administer_trial,
        AdministerTrial(actor=_physician(clinic), trial_id=planned.trial_id, expected_version=1),
    )
    return planned.trial_id


def _place(url: str) -> Place:
    clinic = build_clinic(url)
    run = clinic.thecal.run
    run(put_room, PutRoom(actor=OPERATOR, room_id=ROOM, name=ROOM, location=Location.CLINIC))
    every_day = tuple(
        WorkingHours(weekday=d, starts=dt.time(0), ends=dt.time(23, 45)) for d in range(7)
    )
    nurse = clinic.users[Role.NURSE]
    run(set_working_hours, SetWorkingHours(actor=OPERATOR, user_id=nurse, hours=every_day))
    pump_id = _implant(clinic, "NGP-DATES-1")
    clinic.clock.advance(hours=1)
    trial_id = _administered_trial(clinic)
    read_trial_id = _administered_trial(clinic)
    clinic.clock.advance(hours=1)
    read_at = clinic.clock.now()
    run(
        observe_trial,
        ObserveTrial(
            actor=_physician(clinic),
            trial_id=read_trial_id,
            observation=TrialObservation(at=read_at, pain_nrs=3),
        ),
    )
    clinic.clock.advance(hours=1)
    return Place(
        clinic=clinic,
        pump_id=pump_id,
        trial_id=trial_id,
        read_trial_id=read_trial_id,
        read_at=read_at,
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def place(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Place]:
    if request.param == "sqlite":
        built = _place(f"sqlite:///{tmp_path_factory.mktemp('dates')}/thecal.db")
        yield built
        built.clinic.thecal.close()
        return
    for url in postgres_schema_url():
        built = _place(url)
        yield built
        built.clinic.thecal.close()


# ----------------------------------------------------------------------------- the API


def _instant(day: dt.date) -> str:
    return f"{day.isoformat()}T10:00:00Z"


def _quarter(at: dt.datetime) -> dt.datetime:
    base = at.replace(second=0, microsecond=0)
    return base + dt.timedelta(minutes=15 - base.minute % 15)


@dataclass(frozen=True)
class ApiField:
    """One date field of a request: who sends it, how, what it stores, a control value."""

    name: str
    role: Role
    send: Callable[[Place, str], tuple[str, str, dict[str, Any] | None]]
    control: Callable[[Place], str]
    value: Callable[[dt.date], str] = _instant
    table: Table | None = None
    refused: tuple[tuple[str, Callable[[dt.date], dt.date]], ...] = ALWAYS


def _register(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "mrn": f"D-{uuid.uuid4().hex[:8]}",
        "family_name": "Datum",
        "given_names": "Dora",
        "birth_date": value,
        "sex": "female",
    }
    return "POST", f"{API}/patients", body


def _procedure(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {"kind": "epidural_steroid_injection", "performed_on": value, "indication": "L-RAD"}
    return "POST", f"{API}/patients/{p.clinic.own_patient}/procedures", body


def _assessment(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {"instrument": "nrs", "answers": {"pain": 4}, "assessed_on": value}
    return "POST", f"{API}/patients/{p.clinic.own_patient}/assessments", body


def _booking(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "patient_id": p.clinic.own_patient,
        "visit_type": "mri-interrogation",
        "purpose": {"kind": "other"},
        "clinician_id": p.clinic.users[Role.NURSE],
        "room_id": ROOM,
        "starts_at": value,
    }
    return "POST", f"{API}/appointments", body


def _closure_from(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    last = (p.now + dt.timedelta(days=60)).date().isoformat()
    body = {"starts_on": value, "ends_on": last, "reason": "dates test"}
    return "POST", f"{API}/calendar/closures", body


def _closure_to(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    first = p.now.date().isoformat()
    body = {"starts_on": first, "ends_on": value, "reason": "dates test"}
    return "POST", f"{API}/calendar/closures", body


def _verification(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "drugs": [{"drug": "morphine", "concentration": "25 mg/mL"}],
        "volume": "20 mL",
        "lot": "LOT-DATES",
        "beyond_use": value,
    }
    return "POST", f"{API}/pumps/{p.pump_id}/pharmacy-verifications", body


def _mri(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    return (
        "POST",
        f"{API}/pumps/{p.pump_id}/mri-plans",
        {"scan_at": value, "field_strength_t": "1.5"},
    )


def _observation(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    return "POST", f"{API}/trials/{p.trial_id}/observations", {"at": value, "pain_nrs": 4}


def _trial_plan(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    body = {
        "drug_id": "morphine",
        "dose": "0.3 mg",
        "spinal_level": "L3-L4",
        "baseline": {"pain_nrs": 8, "at": value},
    }
    return "POST", f"{API}/patients/{p.clinic.own_patient}/trials", body


def _transfer(p: Place, value: str) -> tuple[str, str, dict[str, Any]]:
    pump_id = _implant(p.clinic, f"NGP-DATES-{uuid.uuid4().hex[:6]}")
    with p.clinic.thecal.uow() as uow:
        pump = uow.pumps.get(pump_id)
    assert pump is not None
    body = {
        "pump_id": pump_id,
        "expected_pump_version": pump.version,
        "direction": "out",
        "clinic": "Northgate Pain Centre",
        "effective_at": value,
    }
    return "POST", f"{API}/care-transfers", body


def _query(path: str) -> Callable[[Place, str], tuple[str, str, None]]:
    def query(p: Place, value: str) -> tuple[str, str, None]:
        return "GET", f"{API}{path.format(p=p, v=value)}", None

    return query


def _iso_day(day: dt.date) -> str:
    return day.isoformat()


def _today(p: Place) -> str:
    return p.now.date().isoformat()


API_FIELDS = [
    ApiField(
        "birth_date",
        Role.PHYSICIAN,
        _register,
        lambda _p: "1960-05-17",
        _iso_day,
        patients,
        BIRTH,
    ),
    ApiField("performed_on", Role.PHYSICIAN, _procedure, _today, _iso_day, procedures),
    ApiField("assessed_on", Role.NURSE, _assessment, _today, _iso_day, assessments),
    ApiField(
        "start",
        Role.NURSE,
        _booking,
        lambda p: (_quarter(p.now) + dt.timedelta(days=2)).isoformat(),
        table=appointments,
    ),
    ApiField(
        "starts_on",
        Role.ADMIN,
        _closure_from,
        lambda p: (p.now + dt.timedelta(days=30)).date().isoformat(),
        _iso_day,
        calendar_closures,
    ),
    ApiField(
        "ends_on",
        Role.ADMIN,
        _closure_to,
        lambda p: (p.now + dt.timedelta(days=3)).date().isoformat(),
        _iso_day,
        calendar_closures,
    ),
    ApiField(
        "beyond_use",
        Role.PHARMACIST,
        _verification,
        lambda p: (p.now + dt.timedelta(days=30)).isoformat(),
        table=pharmacy_verifications,
    ),
    ApiField(
        "scan time",
        Role.PHYSICIAN,
        _mri,
        lambda p: (p.now + dt.timedelta(days=2)).isoformat(),
        table=mri_plans,
    ),
    ApiField(
        "observation time",
        Role.NURSE,
        _observation,
        lambda p: p.now.isoformat(),
        table=trial_observations,
    ),
    ApiField(
        "baseline time", Role.PHYSICIAN, _trial_plan, lambda p: p.now.isoformat(), table=trials
    ),
    ApiField(
        "transfer date",
        Role.NURSE,
        _transfer,
        lambda p: p.now.isoformat(),
        table=device_event_records,
    ),
    # queries: nothing is stored, the answer names the parameter
    ApiField(
        "birth_date",
        Role.PHYSICIAN,
        _query("/patients?birth_date={v}"),
        lambda _p: "1960-05-17",
        _iso_day,
        refused=BIRTH,
    ),
    ApiField("first", Role.NURSE, _query("/calendar?first={v}"), _today, _iso_day),
    ApiField("last", Role.NURSE, _query("/calendar?last={v}"), _today, _iso_day),
    ApiField(
        "earliest",
        Role.NURSE,
        _query("/calendar/free-times?visit_type=refill&earliest={v}&latest=2026-04-30T10:00:00Z"),
        lambda p: (p.now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ),
    ApiField(
        "start",
        Role.NURSE,
        _query("/appointments?start={v}&end=2026-03-20T00:00:00Z"),
        lambda p: p.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ),
    ApiField(  # 9999-12-31 + 1 day was an OverflowError (500) before the window
        "last_day",
        Role.ADMIN,
        _query("/audit?last_day={v}"),
        _today,
        lambda day: day.replace(month=12, day=31).isoformat(),
    ),
    ApiField("first_day", Role.ADMIN, _query("/audit?first_day={v}"), _today, _iso_day),
    ApiField(
        "readout_at",
        Role.PHYSICIAN,
        _query("/trials/{p.read_trial_id}/evaluation?readout_at={v}"),
        lambda p: p.read_at.isoformat().replace("+00:00", "Z"),
    ),
]


def _ids(field: ApiField) -> str:
    return f"{field.send.__name__.strip('_')}-{field.name}".replace(" ", "_")


@pytest.mark.parametrize("field", API_FIELDS, ids=[_ids(f) for f in API_FIELDS])
def test_the_api_refuses_implausible_dates_and_names_the_field(
    place: Place, field: ApiField
) -> None:
    client = logged_in(place.clinic, field.role.value)
    today = place.now.date()
    for label, day in field.refused:
        before = place.count(field.table) if field.table is not None else 0
        method, url, body = field.send(place, field.value(day(today)))
        answer = client.request(method, url, json=body)
        assert answer.status_code == 422, (label, answer.text)
        problem = answer.json()
        assert field.name in problem["detail"], (label, problem)
        if field.table is not None:
            assert place.count(field.table) == before, f"{label}: something was stored"
    before = place.count(field.table) if field.table is not None else 0
    method, url, body = field.send(place, field.control(place))
    answer = client.request(method, url, json=body)
    assert answer.status_code in {200, 201}, answer.text
    if field.table is not None:
        assert place.count(field.table) == before + 1


def test_the_api_problem_carries_the_range_and_the_stable_code(place: Place) -> None:
    client = logged_in(place.clinic, "physician")
    method, url, body = _procedure(place, "0001-06-01")
    problem = client.request(method, url, json=body).json()
    assert problem["code"] == "THC-INPUT-004"
    assert problem["fields"]["where"] == "performed_on"
    assert problem["fields"]["value"] == "0001-06-01"
    assert problem["fields"]["earliest"] == "1950-01-01"
    assert problem["fields"]["latest"] == (place.now.date() + dt.timedelta(days=1)).isoformat()


# ----------------------------------------------------------------------------- the web


def _local(day: dt.date) -> str:
    return f"{day.isoformat()}T10:00"


@dataclass(frozen=True)
class WebForm:
    """A page's form with a date field: its page, its action, the rest of what is typed."""

    field: str
    role: Role
    page: Callable[[Place], str]
    action: Callable[[Place], str]
    rest: dict[str, str]
    control: Callable[[Place], str]
    table: Table
    value: Callable[[dt.date], str] = _local
    refused: tuple[tuple[str, Callable[[dt.date], dt.date]], ...] = ALWAYS
    beside: bool = True  # the message is shown next to the field (else at the form's top)


WEB_FORMS = [
    WebForm(
        "birth_date",
        Role.PHYSICIAN,
        lambda _p: "/patients/new",
        lambda _p: "/patients/new",
        {"mrn": "WEB-DATES", "family_name": "Datum", "given_names": "Wendy", "sex": "female"},
        lambda _p: "1961-02-03",
        patients,
        _iso_day,
        BIRTH,
    ),
    WebForm(
        "scan_at",
        Role.PHYSICIAN,
        lambda p: f"/pumps/{p.pump_id}/mri/new",
        lambda p: f"/pumps/{p.pump_id}/mri",
        {"field_strength_t": "1.5"},
        lambda p: (p.now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        mri_plans,
    ),
    WebForm(
        "observed_at",
        Role.NURSE,
        lambda p: f"/trials/{p.trial_id}",
        lambda p: f"/trials/{p.trial_id}/observations",
        {"pain_nrs": "3"},
        lambda p: p.now.strftime("%Y-%m-%dT%H:%M"),
        trial_observations,
    ),
    WebForm(
        "beyond_use",
        Role.PHARMACIST,
        lambda p: f"/pumps/{p.pump_id}/admixture-verifications/new",
        lambda p: f"/pumps/{p.pump_id}/admixture-verifications",
        {"drug": "morphine", "concentration": "25 mg/mL", "volume": "20 mL", "lot": "LOT-WEB"},
        lambda p: (p.now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        pharmacy_verifications,
        beside=False,
    ),
]


@pytest.mark.parametrize("form", WEB_FORMS, ids=[f.field for f in WEB_FORMS])
def test_a_web_form_refuses_implausible_dates_and_keeps_what_was_typed(
    place: Place, form: WebForm
) -> None:
    client = browser_login(place.clinic, form.role.value)
    today = place.now.date()
    page, action = form.page(place), form.action(place)
    for label, day in form.refused:
        typed = {**form.rest, form.field: form.value(day(today))}
        before = place.count(form.table)
        shown = client.get(page)
        assert shown.status_code == 200, shown.text[-500:]
        refused = client.post(action, data={"csrf_token": form_token(shown.text, action), **typed})
        assert refused.status_code == 422, (label, refused.text[-800:])
        text = html.unescape(refused.text)
        assert f'action="{action}"' in refused.text, f"{label}: not the form again"
        assert f'value="{typed[form.field]}"' in text, f"{label}: the typed date is lost"
        assert re.search(r"THC-[A-Z]+-\d{3}", text), f"{label}: no message with its code"
        if form.beside:
            assert f'id="{form.field}-error"' in refused.text, f"{label}: not next to the field"
        assert place.count(form.table) == before, f"{label}: something was stored"
    before = place.count(form.table)
    shown = client.get(page)
    typed = {**form.rest, form.field: form.control(place)}
    done = client.post(action, data={"csrf_token": form_token(shown.text, action), **typed})
    assert done.status_code == 200, done.text[-800:]
    assert place.count(form.table) == before + 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/patients?birth_date={v}", "birth_date"),
        ("/outcomes?report_date={v}", "report date"),
        ("/visits?day={v}", "day"),
        ("/audit?last_day={v}", "last_day"),
    ],
)
def test_a_page_query_with_an_implausible_date_is_a_422_naming_it(
    place: Place, path: str, field: str
) -> None:
    client = browser_login(place.clinic, "admin" if path.startswith("/audit") else "physician")
    for day in ("0001-06-01", "9999-06-01"):
        answer = client.get(path.format(v=day))
        assert answer.status_code == 422, (day, answer.text[-500:])
        assert field in html.unescape(answer.text)
    assert client.get(path.format(v=place.now.date().isoformat())).status_code == 200


# ----------------------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A clinic on SQLite for the command line, which reads the system clock."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dates-cli')}/clinic.db"
    built = _place(url)
    env = {
        "THECAL_DATABASE_URL": url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
        "THECAL_PUMP_ID": built.pump_id,
        "THECAL_TRIAL_ID": built.trial_id,
    }
    yield env
    built.clinic.thecal.close()


def _cli_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CliOption:
    """A command and its date option; ``{pump}`` and ``{trial}`` are filled from the clinic."""

    option: str
    argv: tuple[str, ...]
    control: Callable[[], str]
    value: Callable[[dt.date], str] = _iso_day
    refused: tuple[tuple[str, Callable[[dt.date], dt.date]], ...] = ALWAYS
    named: str = ""  # how the message names the field when the use case refuses it

    def names(self, stderr: str) -> bool:
        return self.option in stderr or bool(self.named and self.named in stderr)


def _ahead(days: int, fmt: str = "%Y-%m-%d") -> Callable[[], str]:
    return lambda: (_cli_now() + dt.timedelta(days=days)).strftime(fmt)


CLI_OPTIONS = [
    CliOption(
        "--birth-date",
        (
            "patients",
            "register",
            "--as",
            "physician",
            "--mrn",
            "CLI-D",
            "--family-name",
            "Datum",
            "--given-names",
            "Cleo",
            "--sex",
            "female",
        ),
        lambda: "1959-09-09",
        refused=BIRTH,
        named="birth_date",
    ),
    CliOption(
        "--birth-date",
        ("patients", "search", "--as", "physician"),
        lambda: "1960-05-17",
        refused=BIRTH,
    ),
    CliOption(
        "--scan-at",
        ("mri", "plan", "--as", "physician", "--pump", "{pump}", "--field-t", "1.5"),
        _ahead(3, "%Y-%m-%dT10:00"),
        _local,
        named="scan time",
    ),
    CliOption(
        "--beyond-use",
        (
            "pharmacy",
            "verify",
            "--as",
            "pharmacist",
            "--pump",
            "{pump}",
            "--drug",
            "morphine",
            "--concentration",
            "25 mg/mL",
            "--volume",
            "20 mL",
            "--lot",
            "LOT-CLI",
        ),
        _ahead(30),
        named="beyond_use",
    ),
    CliOption(
        "--at",
        ("trials", "observe", "{trial}", "--as", "nurse", "--pain", "3"),
        lambda: _cli_now().strftime("%Y-%m-%dT%H:%M"),
        _local,
        named="observation time",
    ),
    CliOption(
        "--from",
        ("calendar", "closure", "--as", "admin", "--to", "{soon}", "--reason", "dates"),
        _ahead(1),
        named="starts_on",
    ),
    CliOption("--day", ("visits", "list", "--as", "nurse"), _ahead(0)),
    CliOption(
        "--earliest",
        ("visits", "free", "--as", "nurse", "--type", "refill", "--latest", "{latest}"),
        _ahead(1, "%Y-%m-%dT10:00"),
        _local,
    ),
    CliOption("--due-before", ("worklist", "--as", "nurse"), _ahead(30)),
    CliOption("--report-date", ("report", "outcomes", "--as", "physician"), _ahead(0)),
    CliOption(
        "--from",
        ("export", "schedule", "--as", "physician", "--to", "{today}"),
        _ahead(0),
    ),
    CliOption(
        "--filled-at",
        (
            "calc",
            "refill",
            "--pump",
            "synchromed-ii-20",
            "--drug",
            "morphine",
            "--concentration",
            "25 mg/mL",
            "--daily-dose",
            "5 mg/day",
            "--volume",
            "20 mL",
        ),
        lambda: _cli_now().strftime("%Y-%m-%dT10:00Z"),
        lambda day: f"{day.isoformat()}T10:00Z",
    ),
]


def _argv(option: CliOption, env: dict[str, str], value: str) -> list[str]:
    fills = {
        "{pump}": env["THECAL_PUMP_ID"],
        "{trial}": env["THECAL_TRIAL_ID"],
        "{today}": _cli_now().date().isoformat(),
        "{soon}": (_cli_now() + dt.timedelta(days=3)).date().isoformat(),
        "{latest}": (_cli_now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT10:00"),
    }
    return [fills.get(a, a) for a in option.argv] + [option.option, value]


@pytest.mark.parametrize(
    "option", CLI_OPTIONS, ids=[f"{o.argv[0]}-{o.argv[1]}-{o.option}" for o in CLI_OPTIONS]
)
def test_the_command_line_refuses_implausible_dates_without_a_traceback(
    cli_env: dict[str, str], option: CliOption
) -> None:
    today = _cli_now().date()
    env = {**cli_env, "COLUMNS": "200"}
    for label, day in option.refused:
        argv = _argv(option, cli_env, option.value(day(today)))
        result = CliRunner().invoke(cli, argv, env=env)
        assert result.exit_code == 2, (label, argv, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert option.names(result.stderr), (label, result.stderr)
    argv = _argv(option, cli_env, option.control())
    result = CliRunner().invoke(cli, argv, env=env)
    assert result.exit_code == 0, (argv, result.output)
