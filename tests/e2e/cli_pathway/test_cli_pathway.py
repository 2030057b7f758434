"""The pathway from the command line (CliRunner, a temporary SQLite database): implant → program
change proposed by a nurse, signed and co-signed by two clinicians with password re-authentication
→ send → interrogation confirms → pharmacy verification → refill → worklist; a trial discharged too
early is refused; the pump answers a patient's bolus request, and a nurse may not press the button."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

AUDIT_KEY = "cli-pathway-test-audit-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
_TODAY = dt.datetime.now(dt.UTC).date()  # the commands read the system clock
#: Plausible dates (issue 15 §5): a beyond-use date two months ahead, a horizon five years ahead.
BEYOND_USE = (_TODAY + dt.timedelta(days=60)).isoformat()
FAR_AHEAD = (_TODAY + dt.timedelta(days=5 * 365)).isoformat()


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


def refused(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 2, (args, result.stdout)
    return result.stderr


def _clinic(env: dict[str, str]) -> str:
    run(env, "db", "upgrade")
    for username, role in (
        ("paula", "physician"),
        ("peter", "physician"),
        ("nina", "nurse"),
        ("phil", "pharmacist"),
    ):
        run(
            env,
            "users",
            "create",
            "--username",
            username,
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    patient = run(
        env,
        *("patients", "register", "--as", "nina", "--mrn", "MRN-7", "--family-name", "Doe"),
        *("--given-names", "Jane", "--birth-date", "1961-04-03", "--sex", "female", "--json"),
    )
    return str(patient["id"])


def _implant(env: dict[str, str], patient_id: str) -> dict[str, Any]:
    return run(
        env,
        *(
            "pumps",
            "implant",
            "--as",
            "paula",
            "--patient",
            patient_id,
            "--model",
            "synchromed-ii-20",
        ),
        *("--serial", "NGP-1", "--catheter", "indura-1p-8709sc", "--catheter-length-cm", "60"),
        *("--tip-level", "T10", "--drug", "morphine", "--concentration", "25 mg/mL"),
        *("--fill-volume", "20 mL", "--daily-dose", "5 mg/day", "--pump-id", "pump-1", "--json"),
    )


def test_the_whole_pathway_from_the_command_line_ends_on_the_worklist(env: dict[str, str]) -> None:
    patient_id = _clinic(env)
    implanted = _implant(env, patient_id)
    assert implanted["program"]["daily_dose"] == "5 mg/day"

    change = run(
        env,
        "program-changes",
        "propose",
        "--as",
        "nina",
        "--pump",
        "pump-1",
        "--daily-dose",
        "5.5 mg/day",
        "--rationale",
        "pain not controlled",
        "--json",
    )
    assert change["state"] == "reviewed"
    refused_sign = CliRunner().invoke(
        cli, ["program-changes", "sign", change["change_id"], "--as", "paula"], env=env
    )
    assert refused_sign.exit_code == 2
    assert "--password-stdin" in refused_sign.stderr
    signed = run(
        env,
        "program-changes",
        "sign",
        change["change_id"],
        "--as",
        "paula",
        "--password-stdin",
        "--acknowledge-warnings",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert signed["state"] == "signed"
    waiting = run(env, "worklist", "--as", "nina", "--kind", "program-cosign", "--json")
    assert [r["record_id"] for r in waiting["rows"]] == [change["change_id"]]
    cosigned = run(
        env,
        "program-changes",
        "cosign",
        change["change_id"],
        "--as",
        "peter",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert cosigned["state"] == "co-signed"
    version = run(env, "pumps", "show", "pump-1", "--as", "nina", "--json")["version"]
    sent = run(
        env,
        "program-changes",
        "send",
        change["change_id"],
        "--as",
        "nina",
        "--pump-version",
        str(version),
        "--json",
    )
    assert sent["state"] == "sent"
    interrogation = run(env, "pumps", "interrogate", "pump-1", "--as", "nina", "--json")
    assert interrogation["resolved"] == {change["change_id"]: "confirmed"}

    verification = run(
        env,
        "pharmacy",
        "verify",
        "--as",
        "phil",
        "--pump",
        "pump-1",
        "--drug",
        "morphine",
        "--concentration",
        "25 mg/mL",
        "--volume",
        "20 mL",
        "--lot",
        "LOT-9",
        "--beyond-use",
        BEYOND_USE,
        "--json",
    )
    version = run(env, "pumps", "show", "pump-1", "--as", "nina", "--json")["version"]
    refill = run(
        env,
        "refills",
        "perform",
        "--as",
        "nina",
        "--pump",
        "pump-1",
        "--pump-version",
        str(version),
        "--verification",
        verification["verification_id"],
        "--volume",
        "20 mL",
        "--lot",
        "LOT-9",
        "--checklist-confirmed",
        "--json",
    )
    assert refill["state"] == "completed"
    assert refill["next_refill_due"] is not None

    listed = run(
        env, "worklist", "--as", "nina", "--due-before", FAR_AHEAD, "--limit", "500", "--json"
    )
    kinds = {r["kind"] for r in listed["rows"]}
    assert {"refill-due", "low-reservoir", "stability-expiry", "post-implant-monitoring"} <= kinds
    assert "program-cosign" not in kinds
    refill_row = next(r for r in listed["rows"] if r["kind"] == "refill-due")
    assert (refill_row["mrn"], refill_row["serial"], refill_row["due"]) == (
        "MRN-7",
        "NGP-1",
        refill["next_refill_due"],
    )
    text = run(env, "worklist", "--as", "nina", "--due-before", FAR_AHEAD)
    assert "MRN-7" in text
    assert "refill-due" in text


def test_an_early_trial_discharge_is_refused_and_the_pump_answers_a_patients_bolus_request(
    env: dict[str, str],
) -> None:
    patient_id = _clinic(env)
    trial = run(
        env,
        "trials",
        "plan",
        "--as",
        "paula",
        "--patient",
        patient_id,
        "--drug",
        "morphine",
        "--dose",
        "0.3 mg",
        "--level",
        "L3-L4",
        "--baseline-pain",
        "8",
        "--json",
    )
    assert (trial["observation_period"], trial["observation_source"]) == (
        "1 day",
        "S4 (label 24 h), S5 (PACC 6 h)",
    )
    run(env, "trials", "administer", trial["trial_id"], "--as", "paula", "--version", "1")
    run(
        env,
        "trials",
        "observe",
        trial["trial_id"],
        "--as",
        "nina",
        "--pain",
        "3",
        "--sedation",
        "1",
        "--vitals",
        "14/97/72/128",
    )
    stderr = refused(
        env, "trials", "discharge", trial["trial_id"], "--as", "nina", "--version", "3"
    )
    assert "THC-PATH-031" in stderr
    depressed = run(
        env, "trials", "observe", trial["trial_id"], "--as", "nina", "--pain", "2",
        "--sedation", "2", "--vitals", "8/88/60/118",
    )  # fmt: skip
    assert "ALERT, not fit for discharge: respiratory rate 8/min (alert below 10/min, S39)" in (
        depressed
    )
    assert "naloxone 0.4–2 mg IV" in depressed

    implanted = _implant(env, patient_id)
    run(
        env,
        "users",
        "create",
        "--username",
        "pat",
        "--role",
        "patient",
        "--patient-id",
        patient_id,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    answer = run(env, "bolus", "request", "--as", "pat", "--json")
    assert (answer["granted"], answer["reason"], answer["serial"]) == (
        False,
        "no patient bolus programmed",
        implanted["serial"],
    )
    stderr = refused(env, "bolus", "request", "--as", "nina", "--pump", "pump-1")
    assert "THC-AUTH-001" in stderr
