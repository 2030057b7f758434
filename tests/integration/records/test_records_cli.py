"""`thecal db|patients|audit` end to end through the Typer app, on both databases."""

from __future__ import annotations

import json

import pytest
from alembic.script import ScriptDirectory
from records_db import AUDIT_KEY, seed_user
from sqlalchemy import text
from typer.testing import CliRunner

from thecal.adapters.sql.database import alembic_config, make_engine
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.users import Role
from thecal.entrypoints.cli.main import app as cli

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # the newest revision


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THECAL_DATABASE_URL": database_url, "THECAL_AUDIT_KEY": AUDIT_KEY, "THECAL_USER": ""}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_the_clinic_register_from_the_command_line(env: dict[str, str], database_url: str) -> None:
    code, out, _ = run(env, "db", "upgrade", "--json")
    assert (code, json.loads(out)) == (0, {"revision": HEAD})

    app = bootstrap(Settings(database_url=database_url, audit_key=AUDIT_KEY))  # type: ignore[arg-type]
    try:
        seed_user(app, username="nina", role=Role.NURSE)
        seed_user(app, username="adam", role=Role.ADMIN)
    finally:
        app.close()

    code, out, err = run(
        env,
        *("patients", "register", "--as", "nina", "--mrn", "MRN-42", "--family-name", "Doe"),
        *("--given-names", "Jane", "--birth-date", "1961-04-03", "--sex", "female", "--json"),
    )
    assert code == 0, err
    registered = json.loads(out)
    assert (registered["mrn"], registered["version"]) == ("MRN-42", 1)

    code, out, _ = run(env, "patients", "search", "--as", "nina", "--family-name", "do", "--json")
    assert [p["id"] for p in json.loads(out)["patients"]] == [registered["id"]]

    code, out, _ = run(env, "patients", "show", registered["id"], "--as", "nina")
    assert code == 0
    assert "MRN-42" in out

    code, out, err = run(env, "patients", "show", registered["id"], "--as", "adam")
    assert code == 2
    assert "THC-AUTH-001" in err

    code, out, err = run(env, "patients", "show", registered["id"], "--as", "mallory")
    assert code == 2
    assert "THC-USER-002" in err

    code, out, _ = run(env, "audit", "verify", "--as", "adam", "--json")
    report = json.loads(out)
    assert (code, report["ok"]) == (0, True)
    assert report["entries_checked"] == 6  # 2 users, register, search, show, adam's refusal


def test_audit_verify_names_the_first_tampered_entry(
    env: dict[str, str], database_url: str
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    app = bootstrap(Settings(database_url=database_url, audit_key=AUDIT_KEY))  # type: ignore[arg-type]
    try:
        seed_user(app, username="adam", role=Role.ADMIN)
        seed_user(app, username="nina", role=Role.NURSE)
    finally:
        app.close()
    engine = make_engine(database_url)
    try:
        # An insider with DDL rights removes the guard first; the chain still gives them away.
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
                )
            else:
                connection.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            connection.execute(
                text("UPDATE audit_entries SET actor = :actor WHERE sequence = 2"),
                {"actor": "adam"},
            )
    finally:
        engine.dispose()

    code, _, err = run(env, "audit", "verify", "--as", "adam")
    assert code == 1
    assert "sequence 2" in err
    assert "edited or forged" in err
