"""`thecal pharmacy label CODE`: the syringe label PDF from the command line (issue 13 §6)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from test_cli_pathway import _clinic, _implant, env, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from pdf_reader import read_pdf
from qr_reader import read_qr

__all__ = ["env"]

#: A beyond-use date two months ahead of the system clock the command reads (issue 15 §5).
BEYOND_USE = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)


def _verified(env: dict[str, str]) -> str:
    _implant(env, _clinic(env))
    verified = run(
        env,
        *("pharmacy", "verify", "--as", "phil", "--pump", "pump-1", "--drug", "morphine"),
        *("--concentration", "25 mg/mL", "--volume", "20 mL", "--lot", "LOT-CLI-9"),
        *("--beyond-use", BEYOND_USE.isoformat(), "--json"),
    )
    return str(verified["verification_id"])


def test_the_pharmacist_and_the_nurse_write_the_label_pdf(
    env: dict[str, str], tmp_path: Path
) -> None:
    code = _verified(env)
    target = tmp_path / "label.pdf"
    written = run(env, "pharmacy", "label", code, "--as", "phil", "--output", str(target), "--json")
    assert written == {"verification_id": code, "pump_id": "pump-1", "file": str(target)}
    (page,) = read_pdf(target.read_bytes())
    for expected in ("Doe, Jane", "MRN MRN-7", "Morphine sulfate 25 mg/mL", "LOT-CLI-9", code):
        assert expected in page.text, (expected, page.text)
    assert f"Beyond use {BEYOND_USE.day} {BEYOND_USE:%b %Y} 00:00 UTC" in page.text
    assert read_qr(page.png()) == code

    typed = code.lower().replace("-", "")
    text = run(env, "pharmacy", "label", typed, "--as", "nina", "-o", str(tmp_path / "n.pdf"))
    assert text.strip() == f"wrote the syringe label of {code} to {tmp_path / 'n.pdf'}"
    assert code in read_pdf((tmp_path / "n.pdf").read_bytes())[0].text


def test_an_unknown_code_writes_nothing_and_names_the_code(
    env: dict[str, str], tmp_path: Path
) -> None:
    _verified(env)
    target = tmp_path / "label.pdf"
    result = CliRunner().invoke(
        cli,
        ["pharmacy", "label", "2222-2222", "--as", "phil", "-o", str(target), "--json"],
        env=env,
    )
    assert result.exit_code != 0
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "THC-PHARM-001"
    assert "2222-2222" in error["message"]
    assert not target.exists()


def test_the_help_names_the_label_command() -> None:
    result = CliRunner().invoke(cli, ["pharmacy", "--help"])
    assert result.exit_code == 0
    assert "label" in result.stdout
    assert "syringe label" in result.stdout
