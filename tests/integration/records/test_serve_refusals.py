"""`thecal serve` refuses to start on a database whose schema is not this code's, naming what to
run, on both databases; `--workers N` needs PostgreSQL and hands uvicorn a worker factory with
the multiprocess metrics folder in the workers' environment (and only theirs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from records_db import AUDIT_KEY
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from thecal.adapters.observability.logs import reset_logging
from thecal.adapters.observability.metrics import MULTIPROCESS_ENV
from thecal.adapters.sql.database import downgrade_database
from thecal.adapters.sql.schema_state import code_revision
from thecal.entrypoints.cli import serve as serve_module
from thecal.entrypoints.cli.main import app as cli


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THECAL_DATABASE_URL": database_url, "THECAL_AUDIT_KEY": AUDIT_KEY, "THECAL_USER": ""}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """Records each uvicorn.run call (and the environment the workers would see)."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def run(app: Any, **options: Any) -> None:
        calls.append((app, {**options, "env": dict(os.environ)}))

    monkeypatch.setattr(serve_module.uvicorn, "run", run)
    yield calls
    reset_logging()


@pytest.fixture
def upgraded(engine: Engine, env: dict[str, str]) -> Engine:
    assert CliRunner().invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    return engine


def test_serve_refuses_a_database_behind_the_code_and_names_the_upgrade(
    upgraded: Engine, env: dict[str, str], started: list[Any]
) -> None:
    downgrade_database(upgraded, "-1")
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert "refusing to start" in result.stderr
    assert f"behind this code's {code_revision()}" in result.stderr
    assert "`thecal db upgrade`" in result.stderr
    assert started == []


def test_serve_refuses_a_database_never_migrated(
    engine: Engine, env: dict[str, str], started: list[Any]
) -> None:
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert "no thecal schema yet" in result.stderr
    assert "`thecal db upgrade`" in result.stderr
    assert started == []


def test_serve_refuses_a_database_a_newer_thecal_migrated(
    upgraded: Engine, env: dict[str, str], started: list[Any]
) -> None:
    with upgraded.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'r9999'"))
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert "r9999, which this thecal does not know" in result.stderr
    assert started == []


def test_serve_starts_on_a_current_database_with_json_logs_and_no_access_log(
    upgraded: Engine, env: dict[str, str], started: list[Any]
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--proxy-headers"], env=env)
    assert result.exit_code == 0, result.stderr
    ((_app, options),) = started
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, "127.0.0.1")
    assert (options["access_log"], options["log_config"]) == (False, None)
    assert "workers" not in options  # one process: the app itself, no factory


def test_several_workers_need_postgresql(
    upgraded: Engine, env: dict[str, str], started: list[Any], database_url: str
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--threads", "3"], env=env)
    if upgraded.dialect.name == "sqlite":
        assert result.exit_code == 2
        assert "--workers 2 needs PostgreSQL" in result.stderr
        assert started == []
        return
    assert result.exit_code == 0, result.stderr
    ((app, options),) = started
    assert (app, options["factory"], options["workers"]) == (serve_module.WORKER_FACTORY, True, 2)
    folder = options["env"][MULTIPROCESS_ENV]
    assert options["env"]["THECAL_REQUEST_THREADS"] == "3"
    assert not Path(folder).exists()  # a temporary folder, removed when the server stopped
    assert MULTIPROCESS_ENV not in os.environ  # the workers' environment only
    assert "THECAL_REQUEST_THREADS" not in os.environ


def test_a_configured_metrics_folder_is_emptied_at_start(
    upgraded: Engine,
    env: dict[str, str],
    started: list[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old")
    monkeypatch.setenv(MULTIPROCESS_ENV, str(tmp_path))
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"], env=env)
    if upgraded.dialect.name == "sqlite":  # refused before anything is touched
        assert (result.exit_code, stale.exists()) == (2, True)
        return
    assert result.exit_code == 0, result.stderr
    assert started[0][1]["env"][MULTIPROCESS_ENV] == str(tmp_path)
    assert not stale.exists()
    assert tmp_path.exists()
