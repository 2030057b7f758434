"""An admixture change at a refill from the command line (issue 12 §2): a nurse proposes morphine
25 → 20 mg/mL with a bridge bolus, a physician signs and a second clinician co-signs the diff with
the bridge in it, the change refuses to be sent on its own, the pharmacist verifies the new
admixture, the nurse's refill carries the change and the interrogation confirms it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from test_cli_pathway import PASSWORD, _clinic, _implant, env, refused, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

__all__ = ["env"]


#: A beyond-use date two months ahead of the system clock the command reads (issue 15 §5).
BEYOND_USE = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)


def _verify(env: dict[str, str], concentration: str) -> CliRunner:
    return CliRunner().invoke(
        cli,
        [
            *("pharmacy", "verify", "--as", "phil", "--pump", "pump-1", "--drug", "morphine"),
            *("--concentration", concentration, "--volume", "20 mL", "--lot", "LOT-20"),
            *("--beyond-use", BEYOND_USE.isoformat(), "--json"),
        ],
        env=env,
    )


def _sign(env: dict[str, str], change_id: str, verb: str, who: str) -> dict[str, Any]:
    return run(
        env,
        *("program-changes", verb, change_id, "--as", who, "--password-stdin", "--json"),
        *(["--acknowledge-warnings"] if verb == "sign" else []),
        stdin=PASSWORD + "\n",
    )


def test_a_concentration_change_with_a_bridge_from_the_command_line(env: dict[str, str]) -> None:
    patient_id = _clinic(env)
    _implant(env, patient_id)
    early = _verify(env, "20 mg/mL")
    assert early.exit_code != 0
    # no co-signed change asks for 20 mg/mL yet: the label is not the pump's order
    assert "THC-PATH-025" in early.output
    assert "the order is morphine 25 mg/mL" in early.output

    change = run(
        env,
        *("admixture-changes", "propose", "--as", "nina", "--pump", "pump-1"),
        *("--drug", "morphine", "--concentration", "20 mg/mL", "--daily-dose", "5 mg/day"),
        *("--bridge", "--rationale", "stock strength", "--json"),
    )
    assert change["state"] == "reviewed", change["findings"]
    rows = {c["parameter"]: c["new"] for c in change["changes"]}
    assert rows["concentration morphine"] == "20 mg/mL"
    assert rows["bridge bolus"].startswith("0.356 mL at 0.2 mL/day over 1 day 18 h")
    assert rows["at the tip until the new admixture arrives"] == "morphine 5 mg/day for 1 day 18 h"

    _sign(env, change["change_id"], "sign", "paula")
    assert _sign(env, change["change_id"], "cosign", "peter")["state"] == "co-signed"
    version = run(env, "pumps", "show", "pump-1", "--as", "nina", "--json")["version"]
    stderr = refused(
        env,
        *("program-changes", "send", change["change_id"], "--as", "nina"),
        *("--pump-version", str(version)),
    )
    assert "THC-PATH-080" in stderr
    pending = run(env, "admixture-changes", "pending", "--as", "nina", "--pump", "pump-1", "--json")
    assert [c["change_id"] for c in pending["admixture_changes"]] == [change["change_id"]]

    verified = _verify(env, "20 mg/mL")
    assert verified.exit_code == 0, verified.stderr
    verification = json.loads(verified.stdout)["verification_id"]
    refill = run(
        env,
        *("refills", "perform", "--as", "nina", "--pump", "pump-1", "--pump-version", str(version)),
        *("--verification", verification, "--volume", "20 mL", "--lot", "LOT-20"),
        *("--checklist-confirmed", "--program-change", change["change_id"], "--json"),
    )
    assert refill["state"] == "completed"
    assert refill["program_change"] == {"change_id": change["change_id"], "state": "sent"}
    interrogation = run(env, "pumps", "interrogate", "pump-1", "--as", "nina", "--json")
    assert interrogation["resolved"] == {change["change_id"]: "confirmed"}
    pump = run(env, "pumps", "show", "pump-1", "--as", "nina", "--json")
    assert pump["program"]["admixture"] == "morphine 20 mg/mL"
