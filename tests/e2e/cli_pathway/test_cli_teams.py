"""`thecal teams` from the command line (a temporary SQLite database): an administrator makes a
team, the nurse off it no longer reaches the patient, breaks the glass with a reason, and the
administrator closes the alert (SR-21)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli_pathway import PASSWORD, _clinic, refused, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

AUDIT_KEY = "cli-teams-test-audit-key-0123456789abcdef"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "",
    }


def test_teams_scope_the_nurse_and_break_the_glass_opens_one_patient(env: dict[str, str]) -> None:
    patient = _clinic(env)  # paula, peter (physicians), nina (nurse), phil; nina registered Doe
    run(env, "users", "create", "--username", "ada", "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n")  # fmt: skip
    assert "no care team" in run(env, "teams", "list", "--as", "ada")
    run(env, "teams", "create", "--as", "ada", "Spine")
    run(env, "teams", "add", "--as", "ada", "Spine", "paula")
    teams = run(env, "teams", "assign", "--as", "ada", patient, "Spine", "--json")["teams"]
    assert [(t["name"], t["patients"]) for t in teams] == [("Spine", 1)]
    assert [m["username"] for m in teams[0]["members"]] == ["paula"]
    not_clinician = refused(env, "teams", "add", "--as", "ada", "Spine", "phil")
    assert "THC-TEAM-002" in not_clinician
    assert "only physicians and nurses" in not_clinician

    run(env, "patients", "show", patient, "--as", "paula", "--json")
    assert "THC-TEAM-004" in refused(env, "patients", "show", patient, "--as", "nina")
    short = CliRunner().invoke(
        cli, ["teams", "break-glass", "--as", "nina", patient, "--reason", "x"], env=env
    )
    assert short.exit_code != 0
    opened = run(
        env,
        *("teams", "break-glass", "--as", "nina", patient),
        *("--reason", "Covering the Spine team's pump alarm tonight", "--json"),
    )
    run(env, "patients", "show", patient, "--as", "nina", "--json")
    run(env, "teams", "review", "--as", "ada", opened["review_task_id"], "--note", "checked")
    assert "THC-AUTH-001" in refused(env, "teams", "break-glass", "--as", "phil", patient,
                                     "--reason", "a pharmacist may not")  # fmt: skip

    # taken off the team: out of the physician's reach too; a second time is refused by name
    teams = run(env, "teams", "unassign", "--as", "ada", patient, "--json")["teams"]
    assert [(t["name"], t["patients"]) for t in teams] == [("Spine", 0)]
    assert "THC-TEAM-004" in refused(env, "patients", "show", patient, "--as", "paula")
    again = refused(env, "teams", "unassign", "--as", "ada", patient)
    assert "THC-TEAM-002" in again
    assert "on no care team" in again
