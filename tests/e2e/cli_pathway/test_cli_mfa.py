"""`thecal users mfa-enroll` and `mfa-reset` (CliRunner, a temporary SQLite database; SR-19)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.totp import code_at
from thecal.entrypoints.cli.main import app as cli
from thecal.services.identity import LogIn

AUDIT_KEY = "cli-mfa-test-audit-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class FixedClock:
    def now(self) -> dt.datetime:
        return AT


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
    }
    _run(values, "db", "upgrade")
    _run(
        values,
        *("users", "create", "--username", "paula", "--role", "physician", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    return values


def _run(env: dict[str, str], *args: str, stdin: str | None = None, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def _settings(env: dict[str, str]) -> Settings:
    return Settings(database_url=env["THECAL_DATABASE_URL"], audit_key=AUDIT_KEY)  # type: ignore[arg-type]


def test_mfa_enroll_prints_the_secret_once_and_log_in_then_needs_its_code(
    env: dict[str, str],
) -> None:
    shown = _run(env, "users", "mfa-enroll", "paula")
    assert "key: " in shown.stdout
    assert "uri: otpauth://totp/thecal:paula?secret=" in shown.stdout
    enrolled = json.loads(_run(env, "users", "mfa-reset", "paula", "--json").stdout)
    assert enrolled == {"username": "paula", "enrolled": False}
    issued = json.loads(_run(env, "users", "mfa-enroll", "paula", "--json").stdout)
    again = _run(env, "users", "mfa-enroll", "paula", code=2)
    assert "THC-AUTH-020" in again.stderr
    assert "mfa-reset paula" in again.stderr

    thecal = bootstrap(_settings(env), clock=FixedClock())  # sessions on this clock too
    try:
        code = code_at(issued["secret"], AT)
        result = thecal.run(
            thecal.identity.log_in, LogIn(username="paula", password=PASSWORD, one_time_code=code)
        )
        assert result.authenticated.username == "paula"
        with thecal.uow() as uow:
            actions = [e.action for e in uow.audit_log.entries()]
    finally:
        thecal.close()
    assert actions.count("mfa.enrolled") == 2
    assert actions.count("mfa.reset") == 1


def test_mfa_reset_of_an_unknown_account_says_so(env: dict[str, str]) -> None:
    refused = _run(env, "users", "mfa-reset", "nobody", code=2)
    assert "THC-USER-004" in refused.stderr
