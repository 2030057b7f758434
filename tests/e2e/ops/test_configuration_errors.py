"""Issue 15 §8: a setting thecal cannot run with stops every command, ``thecal serve`` and the
uvicorn workers' app factory with one paragraph naming the variable and the fix (THC-CONF-001),
exit status 2, never a traceback — and nothing is created or changed.

Each case runs the real process in a fresh interpreter with the environment as an operator
would set it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXIT_CONFIGURATION = 2
GOOD_KEY = "k" * 40  # long enough for production
_CLI = "from thecal.entrypoints.cli.main import main; main()"


@dataclass(frozen=True, slots=True)
class Bad:
    """A bad environment, the variable the message must name, and a secret it must not show."""

    env: dict[str, str]
    variable: str
    hidden: str | None = None


def _cases(folder: Path) -> dict[str, Bad]:
    key_folder = folder / "keys-folder"
    key_folder.mkdir()
    garbage = folder / "audit-keys.txt"
    garbage.write_text("this is not a key line at all\n", encoding="utf-8")
    prod = {"THECAL_ENV": "production", "THECAL_AUDIT_KEY": GOOD_KEY}
    return {
        "idle timeout of one minute": Bad(
            {"THECAL_IDLE_TIMEOUT_MINUTES": "1"}, "THECAL_IDLE_TIMEOUT_MINUTES"
        ),
        "idle timeout not a number": Bad(
            {"THECAL_IDLE_TIMEOUT_MINUTES": "ten"}, "THECAL_IDLE_TIMEOUT_MINUTES"
        ),
        "absolute lifetime below the idle timeout": Bad(
            {"THECAL_IDLE_TIMEOUT_MINUTES": "180", "THECAL_ABSOLUTE_TIMEOUT_HOURS": "1"},
            "THECAL_ABSOLUTE_TIMEOUT_HOURS",
        ),
        "production without an audit key": Bad(
            {"THECAL_ENV": "production", "THECAL_AUDIT_KEY": ""}, "THECAL_AUDIT_KEY"
        ),
        "production with a short audit key": Bad(
            {"THECAL_ENV": "production", "THECAL_AUDIT_KEY": "tiny-Secret-9"},
            "THECAL_AUDIT_KEY",
            hidden="tiny-Secret-9",
        ),
        "production with a short session secret": Bad(
            {**prod, "THECAL_SESSION_SECRET": "short-Sess-7"},
            "THECAL_SESSION_SECRET",
            hidden="short-Sess-7",
        ),
        "production with a short metrics token": Bad(
            {**prod, "THECAL_METRICS_TOKEN": "short-Tok-5"},
            "THECAL_METRICS_TOKEN",
            hidden="short-Tok-5",
        ),
        "a database thecal does not support": Bad(
            {"THECAL_DATABASE_URL": "mysql://clinic:hunter2-pw@db.local/thecal"},
            "THECAL_DATABASE_URL",
            hidden="hunter2-pw",
        ),
        "a database URL that is no URL": Bad(
            {"THECAL_DATABASE_URL": "not a url"}, "THECAL_DATABASE_URL"
        ),
        "a database driver that is not installed": Bad(
            {"THECAL_DATABASE_URL": "postgresql+nosuchdriver://clinic:pw-Xy7@db/thecal"},
            "THECAL_DATABASE_URL",
            hidden="pw-Xy7",
        ),
        "a key file that is a folder": Bad(
            {"THECAL_AUDIT_KEY_FILE": str(key_folder)}, "THECAL_AUDIT_KEY_FILE"
        ),
        "a key file without keys": Bad(
            {"THECAL_AUDIT_KEY_FILE": str(garbage)}, "THECAL_AUDIT_KEY_FILE"
        ),
        "a bad audit key id": Bad({"THECAL_AUDIT_KEY_ID": "Not An Id"}, "THECAL_AUDIT_KEY_ID"),
        "no request threads": Bad({"THECAL_REQUEST_THREADS": "0"}, "THECAL_REQUEST_THREADS"),
        "an unknown log level": Bad({"THECAL_LOG_LEVEL": "loud"}, "THECAL_LOG_LEVEL"),
        "secure cookies neither on nor off": Bad(
            {"THECAL_SECURE_COOKIES": "perhaps"}, "THECAL_SECURE_COOKIES"
        ),
        "an unknown time zone": Bad(
            {"THECAL_CLINIC_TIMEZONE": "Mars/Olympus_Mons"}, "THECAL_CLINIC_TIMEZONE"
        ),
        "an unknown country": Bad({"THECAL_CLINIC_COUNTRY": "XQ"}, "THECAL_CLINIC_COUNTRY"),
    }


def _environment(tmp_path: Path, bad: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("THECAL_")}
    return {
        **clean,
        "COLUMNS": "200",
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'thecal.db'}",
        "THECAL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "THECAL_USER": "admin",
        **bad,
    }


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120, env=env)


def _assert_refused(done: subprocess.CompletedProcess[str], bad: Bad, tmp_path: Path) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == EXIT_CONFIGURATION, output
    assert "Traceback" not in output
    assert "THC-CONF-001" in done.stderr
    assert bad.variable in done.stderr
    assert "Fix:" in done.stderr  # says what to set
    assert len(done.stderr.strip().splitlines()) == 1  # one paragraph
    if bad.hidden is not None:
        assert bad.hidden not in output
    assert not (tmp_path / "db" / "thecal.db").exists()  # nothing created


CASE_NAMES = [
    "idle timeout of one minute",
    "idle timeout not a number",
    "absolute lifetime below the idle timeout",
    "production without an audit key",
    "production with a short audit key",
    "production with a short session secret",
    "production with a short metrics token",
    "a database thecal does not support",
    "a database URL that is no URL",
    "a database driver that is not installed",
    "a key file that is a folder",
    "a key file without keys",
    "a bad audit key id",
    "no request threads",
    "an unknown log level",
    "secure cookies neither on nor off",
    "an unknown time zone",
    "an unknown country",
]


def test_the_table_covers_every_case(tmp_path: Path) -> None:
    assert sorted(_cases(tmp_path)) == sorted(CASE_NAMES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_thecal_serve_refuses_a_bad_setting_with_its_name_and_status_2(
    name: str, tmp_path: Path
) -> None:
    bad = _cases(tmp_path)[name]
    done = _run(
        [sys.executable, "-c", _CLI, "serve", "--port", "1"], _environment(tmp_path, bad.env)
    )
    _assert_refused(done, bad, tmp_path)
    assert done.stderr.startswith("thecal: configuration error THC-CONF-001: ")


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["worklist"], "idle timeout of one minute"),
        (["db", "upgrade"], "production with a short audit key"),
        (["patients", "search", "--family-name", "Doe"], "a database thecal does not support"),
        (["users", "list"], "a key file that is a folder"),
        (["demo", "seed"], "an unknown log level"),
        (["audit", "verify"], "an unknown time zone"),
    ],
)
def test_every_command_refuses_a_bad_setting_the_same_way(
    command: list[str], name: str, tmp_path: Path
) -> None:
    bad = _cases(tmp_path)[name]
    done = _run([sys.executable, "-c", _CLI, *command], _environment(tmp_path, bad.env))
    _assert_refused(done, bad, tmp_path)


@pytest.mark.parametrize(
    "name", ["idle timeout of one minute", "production without an audit key", "an unknown country"]
)
def test_the_workers_app_factory_refuses_a_bad_setting_the_same_way(
    name: str, tmp_path: Path
) -> None:
    bad = _cases(tmp_path)[name]
    factory = "from thecal.entrypoints.api.server import worker_app; worker_app()"  # what uvicorn calls in each worker (`--factory`)
    done = _run([sys.executable, "-c", factory], _environment(tmp_path, bad.env))
    _assert_refused(done, bad, tmp_path)
    assert done.stderr.startswith("thecal: configuration error THC-CONF-001: ")


def test_good_settings_are_not_refused(tmp_path: Path) -> None:
    done = _run(
        [sys.executable, "-c", _CLI, "db", "current"],
        _environment(tmp_path, {"THECAL_IDLE_TIMEOUT_MINUTES": "2"}),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "THC-CONF" not in done.stderr


def test_serve_names_a_database_it_cannot_reach_without_a_traceback(tmp_path: Path) -> None:
    url = "postgresql+psycopg://clinic:pw-Unreach-3@127.0.0.1:1/thecal"  # nothing listens on 1
    done = _run(
        [sys.executable, "-c", _CLI, "serve", "--port", "1"],
        _environment(tmp_path, {"THECAL_DATABASE_URL": url}),
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # the start refused, as for a schema behind the code
    assert "Traceback" not in output
    assert "THECAL_DATABASE_URL" in done.stderr
    assert "127.0.0.1:1" in done.stderr
    assert "cannot be reached" in done.stderr
    assert "pw-Unreach-3" not in output
