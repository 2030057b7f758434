"""`thecal report outcomes` end to end on both databases: the hand-counted clinic's figures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from outcomes_clinic import REPORT_DATE, seed_clinic
from outcomes_pdf_text import pdf_text
from records_db import AUDIT_KEY, seed_user
from typer.testing import CliRunner

from thecal.bootstrap import Thecal
from thecal.domain.users import Role
from thecal.entrypoints.cli.main import app as cli


@pytest.fixture
def env(app: Thecal, database_url: str) -> dict[str, str]:
    nurse = seed_user(app, username="nina", role=Role.NURSE)
    seed_user(app, username="pia", role=Role.PHARMACIST)
    seed_clinic(app, nurse.as_actor())
    return {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "nina",
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


REPORT = (
    "report",
    "outcomes",
    "--procedure",
    "epidural_steroid_injection",
    "--indication",
    "L-RAD",
    "--time-point",
    "3-months",
    "--report-date",
    REPORT_DATE.isoformat(),
)


def test_the_json_report_gives_the_hand_counted_figures(env: dict[str, str]) -> None:
    code, out, err = run(env, *REPORT, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert (document["report_date"], document["time_point"]["name"]) == ("2025-07-01", "3 months")
    assert (document["episodes"], document["due"], document["not_yet_due"]) == (6, 6, 0)
    by_measure = {m["measure"]: m for m in document["measures"]}
    pgic = by_measure["pgic_improved"]
    assert (
        pgic["responders"],
        pgic["completers"],
        pgic["eligible"],
        pgic["lost_to_follow_up"],
    ) == (
        2,
        5,
        6,
        1,
    )
    assert pgic["completers_only"]["percent"] == "40.0"
    assert pgic["completers_only"]["headline"] == "40 %"
    assert pgic["lost_as_non_responders"]["percent"] == "33.3"
    # Wilson 95 % for 2 of 5: 11.8–76.9 %; for 2 of 6: 9.7–70.0 %
    assert (
        pgic["completers_only"]["ci_low_percent"],
        pgic["completers_only"]["ci_high_percent"],
    ) == (
        "11.8",
        "76.9",
    )
    assert (
        pgic["lost_as_non_responders"]["ci_low_percent"],
        pgic["lost_as_non_responders"]["ci_high_percent"],
    ) == ("9.7", "70.0")
    assert pgic["sentence"] == (
        "40 % of our epidural patients with indication L-RAD report being much improved or better "
        "(2 of 5 at 3 months; 95 % CI 11.8–76.9 %; 1 lost to follow-up, "
        "33.3 % if counted as non-responders)"
    )
    function = by_measure["function_improved"]
    assert (function["responders"], function["completers"], function["no_baseline"]) == (2, 3, 3)
    assert function["completers_only"]["headline"] == "Over 66 %"
    assert function["threshold_source"] == "S118, S119"
    pain = by_measure["pain_substantial"]
    assert (pain["responders"], pain["completers"], pain["eligible"], pain["no_baseline"]) == (
        2,
        4,
        5,
        1,
    )
    assert by_measure["quality_of_life_better"]["completers_only"] is None
    assert {row["setting"]: row["source"] for row in document["policy"]}["less_pain_percent"] == (
        "S110"
    )


def test_the_csv_report_has_one_row_per_measure_with_every_count(env: dict[str, str]) -> None:
    code, out, err = run(env, *REPORT, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["measure"] for r in rows] == [
        "pgic_improved",
        "pain_substantial",
        "pain_less",
        "function_improved",
        "quality_of_life_better",
    ]
    first = rows[0]
    assert (
        first["eligible"],
        first["completers"],
        first["responders"],
        first["lost_to_follow_up"],
    ) == (
        "6",
        "5",
        "2",
        "1",
    )
    assert (first["report_date"], first["time_point"], first["not_yet_due"]) == (
        "2025-07-01",
        "3 months",
        "0",
    )


def test_the_pdf_report_is_written_and_carries_the_sentences(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "outcomes.pdf"
    code, _out, err = run(env, *REPORT, "--format", "pdf", "--output", str(target))
    assert code == 0, err
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert (
        "40 % of our epidural patients with indication L-RAD report being much improved or better"
        in text
    )
    assert "Over 66 %" in text


def test_a_pharmacist_gets_no_report(env: dict[str, str]) -> None:
    code, _, err = run(env, *REPORT, "--as", "pia")
    assert code == 2
    assert "THC-AUTH-001" in err


def test_an_unknown_time_point_is_refused_with_the_known_ones(env: dict[str, str]) -> None:
    code, _, err = run(env, "report", "outcomes", "--time-point", "2-weeks")
    assert code == 2
    assert "3 months" in err
