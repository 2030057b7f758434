"""The program editor's other modes from the command line (issue 12 §1): a weekly flex schedule,
a single clinician bolus, a periodic bolus refused where the model runs none, a malformed bolus
phrase refused, and the plain ``--no-patient-bolus`` flag."""

from __future__ import annotations

from test_cli_pathway import _clinic, _implant, env, refused, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

__all__ = ["env"]

PROPOSE = ("program-changes", "propose", "--as", "nina", "--pump", "pump-1")


def test_weekly_flex_and_single_bolus_are_proposed_and_other_modes_refused(
    env: dict[str, str],
) -> None:
    _implant(env, _clinic(env))  # SynchroMed II, morphine: entered in mg
    weekly = run(
        env,
        *PROPOSE,
        *("--step", "Mon 00:00=5 mg/day", "--step", "Sat 00:00=6 mg/day"),
        *("--rationale", "weekend activity", "--json"),
    )
    parameters = {c["parameter"]: c["new"] for c in weekly["changes"]}
    assert parameters["mode"] == "flex"
    assert parameters["step 2 start"] == "day 6 00:00"
    assert parameters["step 2 rate"] == "6 mg/day"
    run(env, "program-changes", "withdraw", weekly["change_id"], "--as", "nina", "--reason", "x")

    single = run(
        env,
        *PROPOSE,
        *("--single-bolus", "5 mg over 12 h", "--no-patient-bolus"),
        *("--rationale", "rescue before the refill", "--json"),
    )
    parameters = {c["parameter"]: c["new"] for c in single["changes"]}
    assert parameters["mode"] == "single-bolus"
    assert parameters["single bolus dose"] in {"5 mg", "5000 mcg"}
    assert parameters["single bolus duration"] in {"12 h", "43200 s", "0.5 days"}

    periodic = refused(
        env, *PROPOSE, "--periodic-bolus", "0.5 mg over 10 min every 6 h", "--rationale", "x"
    )
    assert "THC-PATH-096" in periodic
    assert "SynchroMed II 20 mL" in periodic
    malformed = refused(env, *PROPOSE, "--single-bolus", "0.5 mg in 30 min", "--rationale", "x")
    assert "THC-PATH-095" in malformed
    wrong_unit = refused(env, *PROPOSE, "--single-bolus", "500 mcg over 30 min", "--rationale", "x")
    assert "THC-PATH-090" in wrong_unit


def test_no_patient_bolus_is_a_plain_flag() -> None:
    result = CliRunner().invoke(
        cli, ["program-changes", "propose", "--help"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "--no-patient-bolus" in result.stdout
    assert "--no-no-patient-bolus" not in result.stdout
    assert "--periodic-bolus" in result.stdout
    assert "--single-bolus" in result.stdout
