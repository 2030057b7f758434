"""Every example scenario in docs/scenarios runs; `thecal simulate` writes traces, JSON and plots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app
from thecal.simulation.errors import ScenarioInvalid
from thecal.simulation.runner import run_scenario
from thecal.simulation.scenario_file import load_scenario, parse_scenario
from thecal.simulation.summary import summarise

SCENARIOS = sorted((Path(__file__).resolve().parents[3] / "docs" / "scenarios").glob("*.toml"))


def test_there_are_at_least_ten_example_scenarios() -> None:
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_scenario_runs_and_conserves_volume(path: Path) -> None:
    run = run_scenario(load_scenario(str(path)))
    came_in, now = run.twin.mech.conservation()
    assert came_in == now
    assert summarise(run).to_text().startswith(f"scenario {run.scenario.name}")


def test_the_unbridged_change_under_doses_and_the_bridged_one_does_not() -> None:
    by_name = {p.stem: p for p in SCENARIOS}
    bridged = summarise(
        run_scenario(load_scenario(str(by_name["concentration-change-with-bridge"])))
    )
    unbridged = summarise(
        run_scenario(load_scenario(str(by_name["concentration-change-without-bridge"])))
    )
    assert bridged.tip_mass["morphine"].mg == 24  # 8 days × 3 mg/day, exactly
    assert unbridged.tip_mass["morphine"].mg < 24


def test_unknown_keys_in_a_scenario_are_refused() -> None:
    text = SCENARIOS[0].read_text(encoding="utf-8").replace("[pump]", "[pump]\ncolour = 'red'")
    with pytest.raises(ScenarioInvalid) as caught:
        parse_scenario(text)
    assert "colour" in caught.value.message


def test_cli_writes_csv_trace_and_plot_and_prints_json(tmp_path: Path) -> None:
    scenario = next(p for p in SCENARIOS if p.stem == "pocket-fill")
    trace, plot = tmp_path / "out.csv", tmp_path / "out.png"
    result = CliRunner().invoke(
        app, ["simulate", str(scenario), "--trace", str(trace), "--plot", str(plot), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["pocket_mcg"]["morphine"] == "120000"
    assert trace.read_text(encoding="utf-8").startswith("at,elapsed_h,kind")
    assert plot.stat().st_size > 10_000


def test_cli_writes_json_lines(tmp_path: Path) -> None:
    scenario = next(p for p in SCENARIOS if p.stem == "prometra-pulses")
    trace = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["simulate", str(scenario), "--trace", str(trace)])
    assert result.exit_code == 0, result.output
    lines = trace.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["kind"] == "end"
    assert "delivered at the catheter tip" in result.output


def test_cli_reports_a_bad_scenario_with_its_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nname = 'x'\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 2
    assert "THC-SIM-001" in result.output
