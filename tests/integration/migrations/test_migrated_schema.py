"""A database built by replaying a recorded upgrade (tests/migrated_schema.py) is the one Alembic builds.

Most tests get their fresh database from that replay; this test keeps it honest: on SQLite and on
PostgreSQL, one database upgraded by Alembic and one replayed have the same tables, columns,
types, defaults, keys, indexes, constraints, triggers, trigger functions and Alembic revision.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

import migrated_schema
from thecal.adapters.sql.database import current_revision, make_engine, upgrade_database


def _shape(engine: Engine) -> dict[str, Any]:
    """Everything a migration decides about a database, in a comparable form."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ],
            "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (str(c["name"]), c["sqltext"]) for c in inspector.get_check_constraints(name)
            ),
        }
    with engine.connect() as connection:
        schema = "main"
        if engine.dialect.name == "sqlite":
            objects = connection.execute(
                text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            ).all()
        else:
            objects = connection.execute(
                text(
                    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                    " JOIN pg_class c ON c.oid = t.tgrelid"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
                    " UNION ALL SELECT p.proname, '', p.prosrc FROM pg_proc p"
                    " JOIN pg_namespace n ON n.oid = p.pronamespace"
                    " WHERE n.nspname = current_schema() ORDER BY 1, 2"
                )
            ).all()
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return {
        "tables": tables,
        "objects": [  # a trigger's definition names its schema, which differs from test to test
            (*row[:-1], _lines((row[-1] or "").replace(f"{schema}.", "<schema>.")))
            for row in objects
        ],
        "revision": current_revision(engine),
    }


def _lines(sql: str | None) -> tuple[str, ...]:
    """A statement's lines in sorted order: Alembic's batch mode on SQLite rebuilds a table with
    its constraints in an order that differs from run to run (two Alembic upgrades differ too)."""
    return tuple(sorted(line.strip().rstrip(",") for line in (sql or "").splitlines()))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Engine]]:
    """Three fresh, empty databases of one kind."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("replay")
        engines = [make_engine(f"sqlite:///{folder}/{n}.db") for n in range(3)]
        yield engines
        for built in engines:
            built.dispose()
        return
    server = request.getfixturevalue("postgres_url")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    schemas = [f"thecal_replay_{uuid.uuid4().hex[:12]}" for _ in range(3)]
    with admin.connect() as connection:
        for schema in schemas:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # generated identifiers
    engines = [
        make_engine(
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        for schema in schemas
    ]
    try:
        yield engines
    finally:
        for built in engines:
            built.dispose()
        with admin.connect() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_a_replayed_database_is_the_one_alembic_builds(fresh_engines: list[Engine]) -> None:
    by_alembic, first, replayed = fresh_engines
    upgrade_database(by_alembic)
    migrated_schema.migrate(first)  # records the upgrade, unless this process already has
    migrated_schema.migrate(replayed)  # certainly a replay
    assert migrated_schema.recorded(replayed.dialect.name)
    expected = _shape(by_alembic)
    assert expected["tables"], "Alembic built no table"
    assert _shape(replayed) == expected
    assert _shape(first) == expected


def test_a_database_that_is_not_empty_is_left_to_alembic(fresh_engines: list[Engine]) -> None:
    engine = fresh_engines[0]
    upgrade_database(engine)
    before = _shape(engine)
    migrated_schema.migrate(engine)  # a replay here would fail on the existing tables
    assert _shape(engine) == before
