"""`thecal demo seed` and `thecal demo seed-if-empty` through the command line (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from records_db import AUDIT_KEY
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_ENV": "development",
    }


def test_demo_seed_prints_the_summary_and_the_users_then_refuses_a_second_seed(
    env: dict[str, str],
) -> None:
    args = ["demo", "seed", "--patients", "11", "--seed", "5", "--today", "2025-06-30"]
    first = runner.invoke(app, [*args, "--json"], env=env)
    assert first.exit_code == 0, first.output
    document = json.loads(first.output)
    assert document["seeded"] is True
    assert document["counts"]["patients"] == 11
    assert document["counts"]["pocket fills"] == 1
    assert {u["username"] for u in document["users"]} >= {
        "physician",
        "physician2",
        "nurse",
        "pharmacist",
        "admin",
        "patient",
    }
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 2
    assert "THC-DEMO-001" in again.output
    skipped = runner.invoke(app, ["demo", "seed-if-empty", "--patients", "11"], env=env)
    assert skipped.exit_code == 0
    assert "not seeding" in skipped.output
    assert skipped.output.count("password Nick-demo-2026!") == 1  # the demo users, once


def test_demo_seed_refuses_a_day_after_today(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["demo", "seed", "--today", "2999-01-01"], env=env)
    assert result.exit_code == 2
    assert "--today" in result.output
