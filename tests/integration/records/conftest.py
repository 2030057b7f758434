"""Real databases for the records integration tests: every test runs on SQLite and PostgreSQL.

SQLite: a fresh file in the test's tmp folder. PostgreSQL: the server at
``THECAL_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``), with a
freshly created, uniquely named schema per test (``search_path`` points at it), dropped afterwards —
so parallel workers (``pytest -n``) never share tables. If the server cannot be reached the
PostgreSQL half is skipped with the reason (CI turns that skip into a failure).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from records_db import AUDIT_KEY, FixedClock
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from migrated_schema import migrate
from thecal.adapters.sql.database import make_engine
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The server URL, or a skip naming why it cannot be used."""
    url = os.environ.get("THECAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL at {make_url(url)!r} is unreachable: {error.orig}")
    finally:
        probe.dispose()
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('records')}/thecal.db"
        return
    server = request.getfixturevalue("postgres_url")
    schema = f"thecal_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
        url = make_url(server).update_query_dict(
            {"options": f"-csearch_path={schema} -csynchronous_commit=off"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    migrate(engine)
    return engine


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, audit_key=AUDIT_KEY, env="test")  # type: ignore[arg-type]


@pytest.fixture
def app(migrated: Engine, settings: Settings) -> Thecal:
    return bootstrap(settings, clock=FixedClock(), engine=migrated)
