"""`thecal calc replacement|catheter-revision|restart` (issue 12 §3), as a clinician runs them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app

runner = CliRunner()
REPLACE = ["calc", "replacement", "--old-pump", "synchromed-ii-20", "--new-pump", "prometra-ii-20"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_replacement_carries_morphine_into_a_prometra_and_primes_the_whole_path() -> None:
    args = [*REPLACE, "--drug", "morphine", "-c", "25 mg/mL", "--daily-dose", "5 mg/day"]
    code, out, _ = run(*args, "--catheter-volume", "0.26 mL")
    assert code == 0
    # 0.26 mL catheter + 0.25 mL Prometra path = 0.51 mL, × 25 mg/mL = 12.75 mg
    assert "0.51 mL" in out
    assert "12.75 mg" in out
    assert "Infumorph" in out
    code, out, _ = run(*args, "--catheter-volume", "0.26 mL", "--json")
    payload = json.loads(out)
    assert payload["priming_mode"] == "after-implant"
    assert payload["flow_ml_per_day"] == "0.2"


def test_replacement_refuses_ziconotide_into_a_prometra_by_name_with_its_code() -> None:
    code, _, err = run(
        *REPLACE,
        "--drug",
        "ziconotide",
        "-c",
        "100 mcg/mL",
        "--daily-dose",
        "2.4 mcg/day",
        "--catheter-volume",
        "0.26 mL",
    )
    assert code == 2
    assert "THC-PATH-060" in err
    assert "Ziconotide" in err
    assert "not in the Prometra II 20 mL" in err


def test_a_dose_without_its_unit_is_refused() -> None:
    code, _, err = run(
        *REPLACE,
        "--drug",
        "morphine",
        "-c",
        "25 mg/mL",
        "--daily-dose",
        "5",
        "--catheter-volume",
        "0.26 mL",
    )
    assert code == 2
    assert "THC-QTY-005" in err


def test_catheter_revision_primes_the_catheter_only_and_states_the_baclofen_it_pushes() -> None:
    code, out, _ = run(
        "calc",
        "catheter-revision",
        "--pump",
        "synchromed-ii-20",
        "--catheter",
        "ascenda-8780",
        "--length-cm",
        "60",
        "--old-dead-space",
        "0.13 mL",
        "--drug",
        "baclofen",
        "-c",
        "500 mcg/mL",
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    # 60 cm × 0.0026 mL/cm = 0.156 mL (not + the 0.2 mL pump path); × 500 mcg/mL = 78 mcg
    assert payload["priming_volume_ml"] == "0.156"
    assert payload["priming_mode"] == "after-catheter-revision"
    assert payload["drug_pushed_mcg"] == {"baclofen": "78"}


def test_restart_after_four_days_reviews_the_opioid_as_a_new_start() -> None:
    code, out, _ = run(
        "calc",
        "restart",
        "--suspended-at",
        "2026-03-01T08:00+00:00",
        "--restart-at",
        "2026-03-05T08:00+00:00",
        "--drug",
        "morphine",
        "--drug",
        "clonidine",
    )
    assert code == 0
    assert "review as a new start: Morphine" in out
    assert "Clonidine" not in out.split("new start:")[1]
    code, out, _ = run(
        "calc",
        "restart",
        "--suspended-at",
        "2026-03-01T08:00+00:00",
        "--restart-at",
        "2026-03-02T08:00+00:00",
        "--drug",
        "morphine",
    )
    assert "restart as before" in out
    code, _, err = run(
        "calc",
        "restart",
        "--suspended-at",
        "2026-03-01T08:00",
        "--restart-at",
        "2026-03-02T08:00+00:00",
        "--drug",
        "morphine",
    )
    assert code == 2
    assert "needs its offset" in err
