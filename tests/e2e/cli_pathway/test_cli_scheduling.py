"""`thecal calendar|visits|referrals|reminders` (CliRunner, a temporary SQLite database, the real
clock): an administrator sets up a room and a nurse's week; the implanted pump's refill visit is
among the patient's visits to book; the nurse finds a free time, books it, lists the day, moves and
cancels it; visits are re-planned for every patient; the reminders job writes into the outbox; a
clinician makes and revokes a feed URL; a pharmacist may not book."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli_tasks import PASSWORD, _clinic_with_a_pump
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

AUDIT_KEY = "cli-scheduling-test-audit-key-0123456789ab"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
        "THECAL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }


def run(env: dict[str, str], *args: str, stdin: str | None = None, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args and code == 0 else result


def test_a_refill_visit_is_found_booked_listed_moved_and_cancelled(env: dict[str, str]) -> None:
    _clinic_with_a_pump(env)
    run(
        env,
        "users",
        "create",
        "--username",
        "ada",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    users = run(env, "users", "list", "--as", "ada", "--json")["users"]
    nina = next(u["id"] for u in users if u["username"] == "nina")
    run(env, "calendar", "room", "room-1", "--name", "Room 1", "--as", "ada")
    week = [
        arg
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        for arg in ("--block", f"{day} 08:00-17:00")
    ]
    run(env, "calendar", "hours", nina, *week, "--as", "ada")
    patient = run(env, "patients", "search", "--as", "nina", "--mrn", "MRN-7", "--json")[
        "patients"
    ][0]["id"]

    needs = run(env, "visits", "needs", "--patient", patient, "--as", "nina", "--json")[
        "visit_needs"
    ]
    refill = next(n for n in needs if n["visit_type"] == "refill")
    assert refill["state"] == "open"
    free = run(
        env, "visits", "free", "--type", "refill", "--earliest", refill["earliest"],
        "--latest", refill["latest"], "--limit", "2", "--as", "nina", "--json",
    )["free"]  # fmt: skip
    assert len(free) == 2
    booked = run(
        env, "visits", "book", "--patient", patient, "--type", "refill", "--purpose", "refill",
        "--ref", "pump-1", "--at", free[0]["starts_at"], "--clinician", nina, "--room", "room-1",
        "--as", "nina", "--json",
    )  # fmt: skip
    assert booked["state"] == "booked"
    needs = run(env, "visits", "needs", "--patient", patient, "--as", "nina", "--json")[
        "visit_needs"
    ]
    assert next(n for n in needs if n["visit_type"] == "refill")["state"] == "booked"

    day = booked["starts_at"][:10]
    listed = run(env, "visits", "list", "--day", day, "--as", "nina", "--json")["appointments"]
    assert [a["id"] for a in listed] == [booked["id"]]
    moved = run(
        env, "visits", "move", booked["id"], "--at", free[1]["starts_at"], "--as", "nina", "--json"
    )
    assert moved["replaces"] == booked["id"]
    cancelled = run(
        env, "visits", "cancel", moved["id"], "--reason", "patient away", "--as", "nina", "--json"
    )
    assert cancelled["state"] == "cancelled"

    refused = run(
        env, "visits", "book", "--patient", patient, "--type", "refill", "--at", free[0]["starts_at"],
        "--clinician", nina, "--room", "room-1", "--as", "phil", code=2,
    )  # fmt: skip
    assert "THC-AUTH-001" in refused.stderr

    planned = run(env, "visits", "plan", "--as", "ada", "--json")
    assert planned["patients"] == 1
    assert run(env, "reminders", "send", "--json")["sent"] == 0  # the patient has no e-mail
    feed = run(env, "calendar", "feed", "--as", "paula", "--json")
    assert "/calendar/" in feed["url"]
    assert feed["url"].endswith(".ics")
    run(env, "calendar", "feed", "--revoke", "--as", "paula")
