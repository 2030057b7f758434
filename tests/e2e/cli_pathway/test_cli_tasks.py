"""`thecal tasks list|done` (CliRunner, a temporary SQLite database): the implant's monitoring
task is listed, a nurse marks it done once with a note, a second `done` is refused with
THC-TASK-001, and a pharmacist may not list tasks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

AUDIT_KEY = "cli-tasks-test-audit-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
    }


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _clinic_with_a_pump(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    for username, role in (("paula", "physician"), ("nina", "nurse"), ("phil", "pharmacist")):
        run(
            env,
            *("users", "create", "--username", username, "--role", role, "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
    patient = run(
        env,
        *("patients", "register", "--as", "nina", "--mrn", "MRN-7", "--family-name", "Doe"),
        *("--given-names", "Jane", "--birth-date", "1961-04-03", "--sex", "female", "--json"),
    )
    run(
        env,
        *("pumps", "implant", "--as", "paula", "--patient", patient["id"]),
        *("--model", "synchromed-ii-20", "--serial", "NGP-1", "--catheter", "indura-1p-8709sc"),
        *("--catheter-length-cm", "60", "--tip-level", "T10", "--drug", "morphine"),
        *("--concentration", "25 mg/mL", "--fill-volume", "20 mL", "--daily-dose", "5 mg/day"),
        *("--pump-id", "pump-1", "--json"),
    )


def test_a_nurse_lists_and_completes_a_task_once(env: dict[str, str]) -> None:
    _clinic_with_a_pump(env)
    listed = run(env, "tasks", "list", "--as", "nina", "--pump", "pump-1", "--json")["tasks"]
    (monitoring,) = [t for t in listed if t["kind"] == "post-implant-monitoring"]
    assert (monitoring["state"], monitoring["priority"]) == ("open", "urgent")
    no_note = CliRunner().invoke(cli, ["tasks", "done", monitoring["id"], "--as", "nina"], env=env)
    assert no_note.exit_code != 0
    assert "THC-TASK-004" in no_note.stderr  # an urgent task closes with what was done
    still = run(env, "tasks", "list", "--as", "nina", "--json")["tasks"]
    assert monitoring["id"] in [t["id"] for t in still]

    done = run(env, "tasks", "done", monitoring["id"], "--as", "nina", "--note", "seen", "--json")

    assert (done["state"], done["completed_how"], done["note"]) == (
        "done",
        "completed-by-user",
        "seen",
    )
    after = run(env, "tasks", "list", "--as", "nina", "--json")["tasks"]
    assert monitoring["id"] not in [t["id"] for t in after]
    again = CliRunner().invoke(cli, ["tasks", "done", monitoring["id"], "--as", "paula"], env=env)
    assert again.exit_code == 2
    assert "THC-TASK-001" in again.stderr


def test_a_pharmacist_may_not_list_tasks(env: dict[str, str]) -> None:
    _clinic_with_a_pump(env)
    refused = CliRunner().invoke(cli, ["tasks", "list", "--as", "phil"], env=env)
    assert refused.exit_code == 2
    assert "THC-AUTH-001" in refused.stderr
