"""Migrations up and down, schema ↔ metadata agreement, durability settings, append-only audit."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from records_db import NOW
from sqlalchemy import Engine, delete, inspect, text, update
from sqlalchemy.exc import DBAPIError

from thecal.adapters.sql.database import (
    alembic_config,
    current_revision,
    downgrade_database,
    upgrade_database,
)
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.adapters.sql.tables.metadata import metadata
from thecal.bootstrap import Thecal
from thecal.domain.patient import Sex
from thecal.domain.users import Actor, Role
from thecal.services.patients import RegisterPatient, register_patient

RECORD_TABLES = {
    "patients",
    "users",
    "candidacy_assessments",
    "candidacy_contraindications",
    "candidacy_medications",
    "audit_entries",
    "audit_chain_head",
}


HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # the newest revision


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_creates_every_table_and_downgrade_removes_them_again(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade_database(engine)
    assert current_revision(engine) == HEAD
    assert tables(engine) >= RECORD_TABLES
    downgrade_database(engine, "base")
    assert current_revision(engine) is None
    assert tables(engine) & RECORD_TABLES == set()
    upgrade_database(engine)  # and up again, cleanly
    assert tables(engine) >= RECORD_TABLES


def test_the_migrated_schema_matches_the_table_metadata(migrated: Engine) -> None:
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_audit_head_starts_at_the_genesis(migrated: Engine) -> None:
    with migrated.connect() as connection:
        row = connection.execute(
            text("SELECT id, last_sequence, last_hash FROM audit_chain_head")
        ).one()
    assert tuple(row) == (1, 0, "0" * 64)


def test_clinical_writes_run_with_durable_settings(migrated: Engine) -> None:
    with migrated.connect() as connection:
        if migrated.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert (
                connection.exec_driver_sql("SHOW transaction_isolation").scalar() == "serializable"
            )
            assert connection.exec_driver_sql("SHOW fsync").scalar() == "on"


def _one_entry(app: Thecal) -> None:
    app.run(
        register_patient,
        RegisterPatient(
            actor=Actor(user_id="n", role=Role.NURSE),
            mrn="MRN-1",
            family_name="Doe",
            given_names="Jane",
            birth_date=NOW.date().replace(year=1970),
            sex=Sex.FEMALE,
        ),
    )


@pytest.mark.parametrize(
    "statement",
    [
        update(audit_entries).values(actor="someone-else"),
        update(audit_entries).where(audit_entries.c.sequence == 1).values(details_json="{}"),
        delete(audit_entries).where(audit_entries.c.sequence == 1),
        delete(audit_entries),
    ],
    ids=["update-all", "update-one", "delete-one", "delete-all"],
)
def test_the_database_refuses_to_change_or_delete_audit_entries(
    app: Thecal, statement: object
) -> None:
    _one_entry(app)
    with app.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(statement)  # type: ignore[call-overload]
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1


def test_emptying_the_audit_table_is_refused(app: Thecal) -> None:
    _one_entry(app)
    bulk = (
        "TRUNCATE audit_entries"
        if app.engine.dialect.name == "postgresql"
        else "DELETE FROM audit_entries"
    )
    with app.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.exec_driver_sql(bulk)


def test_the_mfa_revision_upgrades_a_populated_database_and_keeps_its_rule(
    engine: Engine,
) -> None:
    # a clinic at revision 0008 with a user that a session refers to (a foreign key to users)
    upgrade_database(engine, "0008")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, role, display_name, patient_id, password_hash,"
                " active, created_at, version) VALUES ('u-1', 'nora', 'nurse', 'Nora', NULL,"
                " NULL, true, :at, 1)"
            ),
            {"at": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO auth_sessions (id, user_id, created_at, last_seen_at, expires_at)"
                " VALUES ('s-1', 'u-1', :at, :at, :at)"
            ),
            {"at": NOW},
        )
    upgrade_database(engine)  # 0009 adds the enrolment columns in place
    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT username, totp_secret, totp_enrolled_at FROM users WHERE id = 'u-1'")
        ).one()
        assert tuple(row) == ("nora", None, None)
        assert connection.execute(text("SELECT count(*) FROM auth_sessions")).scalar_one() == 1
    # an enrolment without its secret is refused by the database, on insert and on update
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET totp_enrolled_at = :at WHERE id = 'u-1'"), {"at": NOW}
        )
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, role, display_name, active, created_at,"
                " version, totp_enrolled_at) VALUES ('u-2', 'odo', 'nurse', 'Odo', true, :at,"
                " 1, :at)"
            ),
            {"at": NOW},
        )
    with engine.begin() as connection:  # with its secret it is an enrolment
        connection.execute(
            text(
                "UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enrolled_at = :at"
                " WHERE id = 'u-1'"
            ),
            {"at": NOW},
        )
    downgrade_database(engine, "0008")  # and back, keeping the user and the session
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM auth_sessions")).scalar_one() == 1
