from __future__ import annotations

import json

from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_calc_flow_reports_0_2_ml_per_day_as_json() -> None:
    code, out, _ = run(
        "calc", "flow", "--concentration", "25 mg/mL", "--daily-dose", "5 mg/day", "--json"
    )
    assert code == 0
    assert json.loads(out)["flow_ml_per_day"] == "0.2"


def test_calc_refill_reports_the_alarm_horizon_and_that_stability_binds() -> None:
    args = [
        "calc",
        "refill",
        "--pump",
        "synchromed-ii-40",
        "--drug",
        "morphine",
        "--concentration",
        "25 mg/mL",
        "--daily-dose",
        "5 mg/day",
        "--volume",
        "40 mL",
        "--alarm",
        "2 mL",
        "--filled-at",
        "2026-01-05T09:00:00+00:00",
    ]
    code, out, _ = run(*args)
    assert code == 0
    assert "in 190 days" in out
    assert "stable 90 days" in out
    assert "drug stability binds" in out
    code, out, _ = run(*args, "--json")
    payload = json.loads(out)
    assert payload["days_to_alarm"] == "190"
    assert payload["binding_limit"] == "stability"
    assert payload["next_refill_due"].startswith("2026-04-05")


def test_calc_refill_refuses_more_than_the_reservoir_holds() -> None:
    code, _, err = run(
        "calc",
        "refill",
        "--pump",
        "synchromed-ii-20",
        "--drug",
        "morphine",
        "--concentration",
        "25 mg/mL",
        "--daily-dose",
        "5 mg/day",
        "--volume",
        "40 mL",
        "--filled-at",
        "2026-01-05T09:00:00+00:00",
    )
    assert code == 2
    assert "THC-INPUT-002" in err
    assert "20 mL" in err


def test_calc_flow_refuses_ziconotide_below_the_minimum_flow_with_numbers() -> None:
    code, out, err = run(
        "calc", "flow", "-c", "100 mcg/mL", "-d", "2.4 mcg/day", "--pump", "synchromed-ii-40"
    )
    assert code == 2
    assert out == ""
    assert "THC-DOSE-001" in err
    assert "0.024 mL/day" in err
    assert "0.048 mL/day" in err


def test_calc_mme_reports_120_with_the_factor_table_named() -> None:
    code, out, _ = run(
        "calc",
        "mme",
        "--opioid",
        "oxycodone=40 mg/day",
        "--opioid",
        "fentanyl-transdermal=25 mcg/h",
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["total_mme_mg_per_day"] == "120"
    assert payload["table"]["id"] == "cdc-2022"
    assert "must not" in payload["warning"]


def test_invalid_quantities_exit_2_with_their_stable_code() -> None:
    code, out, err = run("calc", "flow", "-c", ".5 mg/mL", "-d", "1 mg/day")
    assert (code, out) == (2, "")
    assert "THC-QTY-002" in err
    code, out, _ = run("calc", "dose", "-c", "25 mg", "-f", "0.2 mL/day", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "THC-QTY-012"


def test_priming_and_bridge_show_their_sources() -> None:
    code, out, _ = run(
        "calc",
        "priming",
        "--pump",
        "prometra-ii-20",
        "--catheter",
        "prometra-catheter",
        "--length-cm",
        "80",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["priming_volume_ml"] == "0.458"
    code, out, _ = run(
        "calc",
        "bridge",
        "--pump",
        "synchromed-ii-20",
        "--catheter",
        "indura-1p-8709sc",
        "--length-cm",
        "50",
        "--old-concentration",
        "10 mg/mL",
        "--old-daily-dose",
        "2 mg/day",
        "--new-concentration",
        "20 mg/mL",
        "--new-daily-dose",
        "2 mg/day",
    )
    assert code == 0
    assert "UNCONFIRMED" in out  # the Medtronic catheter volume is not confirmed
    assert "without a bridge" in out


def test_help_lists_every_calculator_with_an_example() -> None:
    code, out, _ = run("calc", "--help")
    assert code == 0
    for name in ("flow", "dose", "refill", "mme", "priming", "bridge"):
        assert name in out


def test_calc_refill_json_says_the_margin_and_rounds_repeating_decimals_as_stated() -> None:
    code, out, _ = run(
        "calc", "refill", "--pump", "synchromed-ii-20", "--drug", "morphine",
        "--concentration", "9 mg/mL", "--daily-dose", "2.706 mg/day", "--volume", "20 mL",
        "--filled-at", "2026-01-05T09:00:00+00:00", "--json",
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    assert payload["refill_margin_days"] == "7"
    assert payload["binding_limit"] == "low_reservoir_alarm"
    assert payload["flow_ml_per_day"] == "0.300667"  # 2.706 ÷ 9 = 0.30066… mL/day
    assert payload["days_to_alarm"] == "59.867"  # 18 mL ÷ 0.30066… mL/day = 59.86696… days
    numbers = [payload[k] for k in payload if k.startswith("days_")] + [
        limit["days"] for limit in payload["limits"]
    ]
    assert all(len(n.split(".")[-1]) <= 4 for n in numbers if "." in n), numbers
