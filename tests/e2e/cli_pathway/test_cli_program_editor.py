"""The program editor and withdrawal from the command line (issue 12 §1, §4): a flex schedule with
a patient bolus in the drug's unit, a dose in the other unit refused, a pending change withdrawn."""

from __future__ import annotations

from test_cli_pathway import _clinic, _implant, env, refused, run

__all__ = ["env"]


def test_a_flex_program_is_proposed_and_a_pending_change_withdrawn(env: dict[str, str]) -> None:
    _implant(env, _clinic(env))  # morphine: entered in mg
    wrong_unit = refused(
        env,
        *("program-changes", "propose", "--as", "nina", "--pump", "pump-1"),
        *("--daily-dose", "5500 mcg/day", "--rationale", "more"),
    )
    assert "THC-PATH-090" in wrong_unit
    assert "mg/day" in wrong_unit
    change = run(
        env,
        *("program-changes", "propose", "--as", "nina", "--pump", "pump-1"),
        *("--step", "00:00=4 mg/day", "--step", "08:00=6 mg/day", "--step", "20:00=4 mg/day"),
        *("--bolus-dose", "0.2 mg", "--bolus-duration", "10 min", "--bolus-lockout", "4 h"),
        *("--bolus-max-per-day", "3", "--low-reservoir-alarm", "3 mL"),
        *("--rationale", "more cover through the day", "--json"),
    )
    parameters = {c["parameter"]: c["new"] for c in change["changes"]}
    assert parameters["mode"] == "flex"
    assert parameters["step 2 rate"] == "6 mg/day"
    assert parameters["patient bolus dose"] in {"0.2 mg", "200 mcg"}  # the diff's exact text
    refused(
        env, "program-changes", "withdraw", change["change_id"], "--as", "nina", "--reason", " "
    )
    withdrawn = run(
        env,
        *("program-changes", "withdraw", change["change_id"], "--as", "nina"),
        *("--reason", "patient declined", "--json"),
    )
    assert withdrawn["state"] == "withdrawn"
