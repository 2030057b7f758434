"""The command line writes every dose of a drug in the drug's one unit (issue 13 §2): a pump of
morphine at 0.5 mg/day reads "0.5 mg/day" in ``pumps show`` (text and JSON), never
"500 mcg/day"; baclofen at 50 mcg/day reads "50 mcg/day", its 1 mg/mL "1000 mcg/mL"."""

from __future__ import annotations

from test_cli_pathway import _clinic, env, run

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
