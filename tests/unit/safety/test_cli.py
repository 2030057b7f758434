"""`thecal review`: findings printed, exit status by outcome, invalid requests exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"
runner = CliRunner()

EXPECTED_EXIT = {
    "info-mri-synchromed.json": 0,
    "proceed-morphine-refill.json": 0,
    "warn-acknowledged-refill.json": 0,
    "warn-refill-after-alarm.json": 4,
    "override-morphine-step.json": 1,
    "override-refill-discrepancy.json": 1,
    "block-ten-fold-dose.json": 3,
    "block-baclofen-bolus.json": 3,
    "block-sufentanil-switch.json": 3,
}


@pytest.mark.parametrize(("name", "status"), EXPECTED_EXIT.items())
def test_each_example_exits_with_the_status_of_its_outcome(name: str, status: int) -> None:
    result = runner.invoke(app, ["review", str(EXAMPLES / name)])
    assert result.exit_code == status, result.output


def test_the_examples_show_every_severity() -> None:
    files = sorted(str(path) for path in EXAMPLES.glob("*.json"))
    result = runner.invoke(app, ["review", *files, "--json"])
    assert result.exit_code == 3
    reports = json.loads(result.stdout)
    severities = {f["severity"] for report in reports for f in report["findings"]}
    assert severities == {"block", "override", "warn", "info"}
    assert {report["file"] for report in reports} == set(files)


def test_an_invalid_request_exits_2_with_a_specific_message(tmp_path: Path) -> None:
    request = json.loads((EXAMPLES / "proceed-morphine-refill.json").read_text(encoding="utf-8"))
    del request["proposal"]["refill"]["aspiration_confirmed"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    result = runner.invoke(app, ["review", str(path)])
    assert result.exit_code == 2
    assert "THC-REVIEW-003" in result.output
    assert "$.proposal.refill.aspiration_confirmed" in result.output


def test_an_invalid_request_is_never_reported_as_proceed_beside_a_routine_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(
        app, ["review", str(EXAMPLES / "proceed-morphine-refill.json"), str(path), "--json"]
    )
    assert result.exit_code == 2
    outcomes = [report["outcome"] for report in json.loads(result.stdout)]
    assert outcomes == ["proceed", "invalid"]
