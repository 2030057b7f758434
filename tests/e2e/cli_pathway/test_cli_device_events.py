"""The events of a pump's life from the command line (issue 12 §3): a nurse suspends delivery, a
physician restarts it as before, ending the therapy is refused without a withdrawal plan, and the
SynchroMed II is replaced by a Prometra II with the therapy carried over; `list` shows the story."""

from __future__ import annotations

from test_cli_pathway import _clinic, _implant, env, run
from typer.testing import CliRunner

from thecal.entrypoints.cli.main import app as cli

__all__ = ["env"]


def _version(env: dict[str, str], pump: str) -> str:
    return str(run(env, "pumps", "show", pump, "--as", "nina", "--json")["version"])


def test_suspend_restart_refused_end_and_replacement_from_the_command_line(
    env: dict[str, str],
) -> None:
    patient_id = _clinic(env)
    _implant(env, patient_id)

    suspended = run(
        env,
        *("device-events", "suspend", "--as", "nina", "--pump", "pump-1"),
        *("--pump-version", _version(env, "pump-1"), "--reason", "surgery", "--json"),
    )
    assert suspended["kind"] == "interruption"
    assert "delivery suspended (surgery)" in suspended["summary"]
    restarted = run(
        env,
        *("device-events", "restart", "--as", "paula", "--pump", "pump-1"),
        *("--pump-version", _version(env, "pump-1"), "--json"),
    )
    assert restarted["facts"]["as_new_start"] == "no"

    ended = CliRunner().invoke(
        cli,
        [
            *("device-events", "discontinue", "--as", "paula", "--pump", "pump-1"),
            *("--pump-version", _version(env, "pump-1"), "--kind", "therapy-stopped"),
            *("--reason", "pain resolved"),
        ],
        env=env,
    )
    assert ended.exit_code != 0
    assert "THC-PATH-061" in ended.output + ended.stderr

    replaced = run(
        env,
        *("device-events", "replace", "--as", "paula", "--pump", "pump-1"),
        *("--pump-version", _version(env, "pump-1"), "--reason", "model-change"),
        *("--new-model", "prometra-ii-20", "--new-serial", "PII-1", "--fill-volume", "20 mL"),
        *("--request-id", "replace-pump-1", "--json"),
    )
    assert replaced["facts"]["new_pump_model"] == "prometra-ii-20"
    assert replaced["facts"]["priming_volume_ml"] == "0.406"
    new_pump = replaced["related_pump_id"]
    shown = run(env, "pumps", "show", new_pump, "--as", "nina", "--json")
    assert shown["serial"] == "PII-1"
    story = run(env, "device-events", "list", "--as", "nina", "--pump", "pump-1")
    assert story.splitlines()[0].startswith("Delivery interrupted")
    assert story.splitlines()[-1].startswith("Pump replacement")


def _refused(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 2, (args, result.stdout)
    return result.output + result.stderr


def test_a_pump_transferred_out_is_refused_treatment_from_the_command_line(
    env: dict[str, str],
) -> None:
    patient_id = _clinic(env)
    _implant(env, patient_id)
    pending = run(
        env,
        *("program-changes", "propose", "--as", "nina", "--pump", "pump-1"),
        *("--daily-dose", "5.5 mg/day", "--rationale", "pain not controlled", "--json"),
    )
    run(
        env,
        *("device-events", "transfer", "--as", "nina", "--pump", "pump-1"),
        *("--pump-version", _version(env, "pump-1"), "--direction", "out"),
        *("--clinic", "Northgate Pain Centre", "--json"),
    )

    # the pending proposal was withdrawn by the transfer, with the reason
    shown = run(env, "program-changes", "show", pending["change_id"], "--as", "nina", "--json")
    assert shown["state"] == "withdrawn"
    # treating the pump is refused: exit status 2, THC-PATH-062 naming the state and the action
    said = _refused(env, "pumps", "interrogate", "pump-1", "--as", "nina")
    assert "THC-PATH-062" in said
    assert "is transferred: an interrogation is not possible" in said
    said = _refused(
        env,
        *("program-changes", "propose", "--as", "nina", "--pump", "pump-1"),
        *("--daily-dose", "6 mg/day", "--rationale", "pain not controlled"),
    )
    assert "THC-PATH-062" in said
    assert "is transferred: a program change is not possible" in said
