"""`thecal users token|tokens|revoke-token|deactivate|reactivate|password` and service accounts
(CliRunner, a temporary SQLite database; issue 15 §1, issue 13 §9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.credentials import LoginFailed
from thecal.entrypoints.cli.main import app as cli
from thecal.services.identity import AuthenticateToken, LogIn

AUDIT_KEY = "cli-accounts-test-audit-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
NEW_PASSWORD = "Marigold tandem orbit 47 quietly"  # noqa: S105 - a test account's new password
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


def _works(env: dict[str, str], token: str) -> bool:
    thecal = bootstrap(_settings(env), clock=FixedClock())
    try:
        thecal.run(thecal.identity.authenticate_token, AuthenticateToken(api_token=token))
    except Exception:  # noqa: BLE001 - any refusal means the token does not work
        return False
    finally:
        thecal.close()
    return True


def _logs_in(env: dict[str, str], password: str) -> bool:
    thecal = bootstrap(_settings(env), clock=FixedClock())
    try:
        thecal.run(thecal.identity.log_in, LogIn(username="paula", password=password))
    except LoginFailed:
        return False
    finally:
        thecal.close()
    return True


def test_the_operator_issues_tokens_only_to_service_accounts(env: dict[str, str]) -> None:
    refused = _run(env, "users", "token", "--username", "paula", "--json", code=2)
    assert "THC-TOKEN-002" in refused.stdout + refused.stderr
    _run(env, "users", "create", "--username", "registry", "--role", "integration")
    issued = json.loads(_run(env, "users", "token", "--username", "registry", "--json").stdout)
    assert _works(env, issued["token"])
    listed = json.loads(_run(env, "users", "tokens", "--json").stdout)["tokens"]
    assert [(t["holder"], t["active"]) for t in listed] == [("registry", True)]
    _run(env, "users", "revoke-token", issued["token_id"])
    assert not _works(env, issued["token"])


def test_a_token_for_oneself_asks_for_the_password(env: dict[str, str]) -> None:
    wrong = _run(
        env, *("users", "token", "--username", "paula", "--as", "paula", "--password-stdin"),
        stdin="not the password\n", code=2,
    )  # fmt: skip
    assert "THC-AUTH-011" in wrong.stdout + wrong.stderr
    issued = json.loads(
        _run(
            env,
            *("users", "token", "--username", "paula", "--as", "paula", "--password-stdin"),
            "--json",
            stdin=PASSWORD + "\n",
        ).stdout
    )
    assert _works(env, issued["token"])


def test_deactivate_stops_tokens_and_log_in_at_once_and_reactivate_restores_log_in(
    env: dict[str, str],
) -> None:
    issued = json.loads(
        _run(
            env,
            *("users", "token", "--username", "paula", "--as", "paula", "--password-stdin"),
            "--json",
            stdin=PASSWORD + "\n",
        ).stdout
    )
    out = _run(env, "users", "deactivate", "paula", "--reason", "left the clinic").stdout
    assert "sessions ended and tokens revoked" in out
    assert not _works(env, issued["token"])
    assert not _logs_in(env, PASSWORD)
    _run(env, "users", "reactivate", "paula")
    assert _logs_in(env, PASSWORD)
    assert not _works(env, issued["token"])  # revoked tokens stay revoked


def test_password_change_needs_the_current_password(env: dict[str, str]) -> None:
    _run(
        env, "users", "password", "--as", "paula", "--password-stdin",
        stdin=f"wrong password here\n{NEW_PASSWORD}\n", code=2,
    )  # fmt: skip
    weak = _run(
        env, "users", "password", "--as", "paula", "--password-stdin",
        stdin=f"{PASSWORD}\npasswordpassword\n", code=2,
    )  # fmt: skip
    assert "THC-AUTH-010" in weak.stdout + weak.stderr
    _run(
        env, "users", "password", "--as", "paula", "--password-stdin",
        stdin=f"{PASSWORD}\n{NEW_PASSWORD}\n",
    )  # fmt: skip
    assert not _logs_in(env, PASSWORD)
    assert _logs_in(env, NEW_PASSWORD)
