"""The command line writes every dose of a drug in the drug's one unit (issue 13 §2): a pump of
morphine at 0.5 mg/day reads "0.5 mg/day" in ``pumps show`` (text and JSON), never
"500 mcg/day"; baclofen at 50 mcg/day reads "50 mcg/day", its 1 mg/mL "1000 mcg/mL"."""

from __future__ import annotations

from test_cli_pathway import _clinic, env, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

__all__ = ["env"]  # the fixture, shared with the pathway tests


def _implant(env: dict[str, str], patient_id: str, *fill: str) -> None:
    run(
        env,
        *("pumps", "implant", "--as", "paula", "--patient", patient_id),
        *("--model", "synchromed-ii-20", "--serial", "NGP-UNITS", "--catheter"),
        *("indura-1p-8709sc", "--catheter-length-cm", "60", "--tip-level", "T10"),
        *fill,
        *("--fill-volume", "20 mL", "--pump-id", "pump-1", "--json"),
    )


def test_pumps_show_writes_morphine_in_mg(env: dict[str, str]) -> None:
    patient = _clinic(env)
    _implant(
        env,
        patient,
        *("--drug", "morphine", "--concentration", "1 mg/mL", "--daily-dose", "0.5 mg/day"),
    )
    text = run(env, "pumps", "show", "--as", "nina", "pump-1")
    assert "morphine 1 mg/mL  0.5 mg/day" in text
    assert "mcg" not in text
    shown = run(env, "pumps", "show", "--as", "nina", "pump-1", "--json")
    assert shown["program"]["daily_dose"] == "0.5 mg/day"


def test_pumps_show_writes_baclofen_in_mcg(env: dict[str, str]) -> None:
    patient = _clinic(env)
    _implant(
        env,
        patient,
        *("--drug", "baclofen", "--concentration", "1000 mcg/mL", "--daily-dose", "50 mcg/day"),
    )
    text = run(env, "pumps", "show", "--as", "nina", "pump-1")
    assert "baclofen 1000 mcg/mL  50 mcg/day" in text
    shown = run(env, "pumps", "show", "--as", "nina", "pump-1", "--json")
    assert shown["program"]["daily_dose"] == "50 mcg/day"
    assert shown["admixture"] == "baclofen 1000 mcg/mL"


def test_calc_refill_writes_baclofen_and_its_refusal_in_mcg() -> None:
    """Baclofen typed in mg is written back in mcg: 2 mg/mL is "2000 mcg/mL", 1.2 mg/day
    "1200 mcg/day"; a flow below the pump's minimum is refused in mcg too (THC-DOSE-001)."""
    args = ("calc", "refill", "--pump", "synchromed-ii-20", "--drug", "baclofen")
    result = CliRunner().invoke(
        cli,
        [*args, "--concentration", "2 mg/mL", "--daily-dose", "1.2 mg/day", "--volume", "20 mL"],
    )
    assert result.exit_code in {0, 1, 3}, result.stdout + result.stderr
    assert "baclofen 2000 mcg/mL in SynchroMed II 20 mL: flow 0.6 mL/day at 1200 mcg/day" in (
        result.stdout
    )
    refused = CliRunner().invoke(
        cli,
        [*args, "--concentration", "2 mg/mL", "--daily-dose", "0.05 mg/day", "--volume", "20 mL"],
    )
    assert "THC-DOSE-001" in refused.stderr
    assert "50 mcg/day at 2000 mcg/mL needs a flow of 0.025 mL/day" in refused.stderr
