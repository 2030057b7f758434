"""Issue 14 §9, replayed: the calculators apply the drug library's checks and say so; a calculator
answer never looks safe when the review would block it (exit 3 blocked, 1 override)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app

runner = CliRunner()
AT = "2026-12-01T10:00:00+00:00"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def refill(*args: str) -> tuple[int, str, str]:
    return run("calc", "refill", "--filled-at", AT, *args)


def test_morphine_50_mg_per_ml_at_60_mg_a_day_is_blocked_by_the_label_concentration() -> None:
    args = ("--pump", "synchromed-ii-40", "--drug", "morphine", "-c", "50 mg/mL")
    code, out, _ = refill(*args, "-d", "60 mg/day", "-v", "40 mL")
    assert code == 3
    assert "BLOCKED — the review would block this prescription" in out
    assert (
        "ITS-DOSE-001: morphine concentration 50 mg/mL is above the hard maximum of 25 mg/mL (S3"
        in out
    )
    assert (
        "ITS-DOSE-004: morphine daily dose 60 mg/day is above the soft maximum of 15 mg/day" in out
    )
    code, out, _ = refill(*args, "-d", "60 mg/day", "-v", "40 mL", "--json")
    check = json.loads(out)["library_check"]
    assert check["outcome"] == "blocked"
    assert {f["code"] for f in check["findings"]} == {"ITS-DOSE-001", "ITS-DOSE-004"}
    assert next(f for f in check["findings"] if f["code"] == "ITS-DOSE-001")["source"] == "S3"


def test_a_routine_morphine_refill_says_no_finding_and_exits_0() -> None:
    code, out, _ = refill(
        "--pump", "synchromed-ii-40", "--drug", "morphine", "-c", "25 mg/mL", "-d", "5 mg/day",
        "-v", "40 mL",
    )  # fmt: skip
    assert code == 0
    assert "drug library check (checked for an adult" in out
    assert ": no finding" in out


def test_a_baclofen_patient_bolus_is_blocked() -> None:
    code, out, _ = refill(
        "--pump", "synchromed-ii-40", "--drug", "baclofen", "-c", "2000 mcg/mL",
        "-d", "400 mcg/day", "-v", "40 mL", "--bolus-dose", "50 mcg", "--boluses-per-day", "4",
    )  # fmt: skip
    assert code == 3
    assert "ITS-BOLUS-001" in out
    assert "baclofen, which allows no patient boluses" in out


def test_ziconotide_in_a_prometra_needs_the_off_label_override() -> None:
    code, out, _ = refill(
        "--pump", "prometra-ii-20", "--drug", "ziconotide", "-c", "25 mcg/mL",
        "-d", "2.4 mcg/day", "-v", "20 mL",
    )  # fmt: skip
    assert code == 1
    assert "OVERRIDE NEEDED" in out
    assert "ziconotide is not approved for the Prometra II 20 mL" in out
    assert "S30" in out


def test_a_ziconotide_first_fill_at_100_mcg_per_ml_is_blocked_by_the_protocol() -> None:
    code, out, _ = refill(
        "--pump", "synchromed-ii-40", "--drug", "ziconotide", "-c", "100 mcg/mL",
        "-d", "10 mcg/day", "-v", "20 mL", "--first-fill",
    )  # fmt: skip
    assert code == 3
    assert "ITS-REFILL-010" in out
    assert "the protocol fills with ziconotide 25 mcg/mL alone (S12" in out


def test_ziconotide_in_a_morphine_admixture_gets_the_diluted_stability() -> None:
    code, out, _ = refill(
        "--pump", "synchromed-ii-40", "--drug", "morphine", "-c", "10 mg/mL", "-d", "2 mg/day",
        "--also", "ziconotide=25 mcg/mL", "-v", "20 mL", "--json",
    )  # fmt: skip
    assert code == 0
    limits = json.loads(out)["limits"]
    ziconotide = next(x for x in limits if x["detail"].startswith("ziconotide"))
    assert ziconotide["detail"] == "ziconotide stable 40 days (S12 [C])"


def test_a_child_s_baclofen_dose_is_checked_against_the_children_s_limit() -> None:
    args = ("--pump", "synchromed-ii-40", "--drug", "baclofen", "-c", "500 mcg/mL")
    code, out, _ = refill(*args, "-d", "700 mcg/day", "-v", "20 mL", "--age-years", "8")
    assert code == 1
    assert "checked for a patient aged 8" in out
    assert "children under 12, S16" in out
    code, out, _ = refill(*args, "-d", "700 mcg/day", "-v", "20 mL")
    assert code == 0


def test_an_alarm_bigger_than_the_reservoir_is_refused() -> None:
    code, _, err = refill(
        "--pump", "synchromed-ii-20", "--drug", "morphine", "-c", "25 mg/mL", "-d", "5 mg/day",
        "-v", "20 mL", "--alarm", "25 mL",
    )  # fmt: skip
    assert code == 2
    assert "a low-reservoir alarm of 25 mL does not fit the SynchroMed II 20 mL" in err


def test_a_fill_below_the_alarm_is_refused_instead_of_a_due_date_before_the_fill() -> None:
    code, _, err = refill(
        "--pump", "synchromed-ii-20", "--drug", "morphine", "-c", "25 mg/mL", "-d", "5 mg/day",
        "-v", "1.5 mL",
    )  # fmt: skip
    assert code == 2
    assert "a fill to 1.5 mL is at or below the low-reservoir alarm of 2 mL" in err


def test_an_admixture_states_every_component_s_daily_dose() -> None:
    args = (
        "--pump", "synchromed-ii-40", "--drug", "morphine", "-c", "20 mg/mL", "-d", "5 mg/day",
        "-v", "40 mL", "--also", "clonidine=1000 mcg/mL", "--also", "bupivacaine=15 mg/mL",
    )  # fmt: skip
    code, out, _ = refill(*args)
    assert code == 1  # clonidine and bupivacaine are off-label in the pump
    assert "daily doses: morphine 5 mg/day, clonidine 250 mcg/day, bupivacaine 3.75 mg/day" in out
    _, out, _ = refill(*args, "--json")
    doses = json.loads(out)["daily_doses"]
    assert doses["clonidine"]["mcg_per_day"] == "250"
    assert doses["bupivacaine"]["mcg_per_day"] == "3750"


def test_mme_lists_buprenorphine_as_excluded_with_cdc_s_reason() -> None:
    code, out, _ = run(
        "calc", "mme", "--opioid", "buprenorphine-transdermal=20 mcg/h",
        "--opioid", "oxycodone-oral=40 mg/day", "--json",
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    assert payload["total_mme_mg_per_day"] == "60"
    assert payload["excluded"][0]["drug"] == "buprenorphine"
    assert "partial µ-agonist" in payload["excluded"][0]["reason"]
    assert "S22" in payload["excluded"][0]["reason"]


def test_mme_refuses_a_patch_rate_in_mg_per_hour() -> None:
    code, _, err = run("calc", "mme", "--opioid", "fentanyl-transdermal=25 mg/h")
    assert code == 2
    assert "THC-MME-002" in err
    assert "written as its rate in mcg/h" in err


def test_mme_reads_routes_in_drug_names_and_refuses_uncovered_routes() -> None:
    code, out, _ = run("calc", "mme", "--opioid", "oxycodone-oral=40 mg/day")
    assert code == 0
    assert "total: 60 MME" in out
    code, _, err = run("calc", "mme", "--opioid", "morphine-iv=10 mg/day")
    assert code == 2
    assert "THC-MME-001" in err


def test_a_bridge_from_an_old_dose_of_0_points_to_priming() -> None:
    code, _, err = run(
        "calc", "bridge", "--pump", "synchromed-ii-40", "--catheter", "ascenda-8780",
        "--length-cm", "60", "--old-concentration", "10 mg/mL", "--old-daily-dose", "0 mg/day",
        "--new-concentration", "20 mg/mL", "--new-daily-dose", "5 mg/day",
    )  # fmt: skip
    assert code == 2
    assert "priming bolus instead (S53): thecal calc priming" in err
