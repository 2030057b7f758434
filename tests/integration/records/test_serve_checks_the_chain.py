"""`thecal serve` verifies the audit chain before it listens (SR-17), on both databases: a good
chain starts the server; a tampered one stops the start with exit 1, naming the first bad entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from records_db import AUDIT_KEY, seed_user
from sqlalchemy import text
from typer.testing import CliRunner

from thecal.adapters.observability.logs import reset_logging
from thecal.adapters.sql.database import make_engine
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.users import Role
from thecal.entrypoints.cli import serve as serve_module
from thecal.entrypoints.cli.main import app as cli


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THECAL_DATABASE_URL": database_url, "THECAL_AUDIT_KEY": AUDIT_KEY, "THECAL_USER": ""}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Records each uvicorn.run call instead of listening."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda _app, **kw: calls.append(kw))
    yield calls
    reset_logging()  # serve configured the process's logs


def _clinic(env: dict[str, str], database_url: str) -> None:
    assert CliRunner().invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    app = bootstrap(Settings(database_url=database_url, audit_key=AUDIT_KEY))  # type: ignore[arg-type]
    try:
        seed_user(app, username="adam", role=Role.ADMIN)
        seed_user(app, username="nina", role=Role.NURSE)
    finally:
        app.close()


def test_serve_starts_on_a_chain_that_verifies(
    env: dict[str, str], database_url: str, started: list[dict[str, Any]]
) -> None:
    _clinic(env, database_url)
    result = CliRunner().invoke(cli, ["serve", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "audit chain ok (2 entries)" in result.stderr
    assert [call["port"] for call in started] == [8123]


def test_serve_refuses_to_start_on_a_tampered_chain(
    env: dict[str, str], database_url: str, started: list[dict[str, Any]]
) -> None:
    _clinic(env, database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:  # an insider with DDL rights removes the guard first
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

    result = CliRunner().invoke(cli, ["serve"], env=env)

    assert result.exit_code == 1
    assert "refusing to start" in result.stderr
    assert "sequence 2" in result.stderr
    assert "edited or forged" in result.stderr
    assert started == []
