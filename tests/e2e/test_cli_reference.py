from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from thecal.domain.library import reference_library
from thecal.entrypoints.cli.main import app
from thecal.entrypoints.cli.reference import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference-data.md"


def test_the_committed_reference_catalogue_is_up_to_date() -> None:
    expected = render_markdown(reference_library())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "run: thecal reference markdown > docs/reference-data.md"
    )


def test_the_catalogue_shows_unconfirmed_values_as_unconfirmed() -> None:
    text = render_markdown(reference_library())
    assert "15 mg/day (S2 [U])" in text  # PACC morphine maximum, unconfirmed
    assert "0.048 mL/day (S12 [C])" in text
    assert "[A]" in text


def test_reference_drug_shows_baclofen_forbids_patient_boluses() -> None:
    result = CliRunner().invoke(app, ["reference", "drug", "baclofen"])
    assert result.exit_code == 0
    assert "patient-activated boluses allowed | no (peers:PTC6 [C])" in result.stdout


def test_reference_drug_with_an_unknown_id_exits_2_naming_the_known_drugs() -> None:
    result = CliRunner().invoke(app, ["reference", "drug", "heroin"])
    assert result.exit_code == 2
    assert "ziconotide" in result.stderr
