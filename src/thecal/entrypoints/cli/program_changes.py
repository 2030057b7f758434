"""`thecal program-changes propose|sign|cosign|send|show`: program changes from the command line.

Signing and co-signing need the SR-16 re-authentication: the password is read from standard input
(``--password-stdin``) and checked by the identity service, which issues a single-use token bound
to the signer and the exact diff.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_text import parse_dose_rate
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import (
    PasswordStdin,
    change_payload,
    confirmation_token,
)
from thecal.services.program_changes import (
    CoSignProgramChange,
    GetProgramChange,
    ProposeProgramChange,
    SendProgramChange,
    SignProgramChange,
    cosign_program_change,
    get_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pumps import GetPump, get_pump

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True, help="Propose, sign, co-sign, send and show program changes."
)


def _human(payload: dict[str, object]) -> str:
    changes = "; ".join(f"{c['parameter']}: {c['old']} → {c['new']}" for c in payload["changes"])  # type: ignore[attr-defined]
    findings = ", ".join(f"{f['code']} {f['severity']}" for f in payload["findings"]) or "none"  # type: ignore[attr-defined]
    return f"change {payload['change_id']} {payload['state']}: {changes} (findings: {findings})"


@app.command()
def propose(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    daily_dose: Annotated[str, typer.Option(help='New daily dose, e.g. "5.5 mg/day".')],
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    key: Annotated[
        str | None,
        typer.Option(
            help="Idempotency key (generated if omitted); a known key shows the change it "
            "proposed (replayed) and proposes nothing."
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Propose a new continuous daily dose for a pump (same admixture and bolus settings)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        current = thecal.run(get_pump, GetPump(actor=actor, pump_id=pump)).program
        program = InfusionProgram.continuous(
            current.admixture,
            parse_dose_rate(daily_dose),
            patient_bolus=current.patient_bolus,
            low_reservoir_alarm=current.low_reservoir_alarm,
        )
        outcome = thecal.run(
            propose_program_change,
            ProposeProgramChange(
                actor=actor,
                pump_id=pump,
                new_program=program,
                idempotency_key=key or str(uuid.uuid4()),
                rationale=rationale,
            ),
        )
        payload = {**change_payload(outcome.change), "replayed": outcome.replayed}
        human = _human(payload)
        if outcome.replayed:
            human = f"already proposed with this key: {human}"
        emit(payload, human, as_json=as_json)


@app.command()
def sign(
    as_user: AsUser,
    change_id: str,
    password_stdin: PasswordStdin = False,
    acknowledge_warnings: Annotated[
        bool, typer.Option(help="Acknowledge every warn finding shown by `show`.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Sign a reviewed change as the physician (re-authentication by password)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        change = thecal.run(get_program_change, GetProgramChange(actor=actor, change_id=change_id))
        token = confirmation_token(thecal, actor, change, password_stdin=password_stdin)
        warned = frozenset(f.code for f in change.findings) if acknowledge_warnings else frozenset()
        signed = thecal.run(
            sign_program_change,
            SignProgramChange(
                actor=actor, change_id=change_id, token=token, acknowledged_warnings=warned
            ),
        )
        payload = change_payload(signed)
        emit(payload, _human(payload), as_json=as_json)


@app.command()
def cosign(
    as_user: AsUser, change_id: str, password_stdin: PasswordStdin = False, as_json: Json = False
) -> None:
    """Co-sign a signed change as a second, different clinician (SR-02)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        change = thecal.run(get_program_change, GetProgramChange(actor=actor, change_id=change_id))
        token = confirmation_token(thecal, actor, change, password_stdin=password_stdin)
        signed = thecal.run(
            cosign_program_change,
            CoSignProgramChange(
                actor=actor,
                change_id=change_id,
                token=token,
                policy=thecal.co_signing_policy,
            ),
        )
        payload = change_payload(signed)
        emit(payload, _human(payload), as_json=as_json)


@app.command()
def send(
    as_user: AsUser,
    change_id: str,
    pump_version: Annotated[
        int, typer.Option(help="The pump version you reviewed (see `thecal pumps show`).")
    ],
    as_json: Json = False,
) -> None:
    """Send a co-signed change to the pump; confirmed by the next interrogation."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        change = thecal.run_device(
            send_program_change,
            SendProgramChange(
                actor=resolve_actor(thecal, as_user),
                change_id=change_id,
                expected_pump_version=pump_version,
            ),
        )
        payload = change_payload(change)
        emit(payload, _human(payload), as_json=as_json)


@app.command()
def show(as_user: AsUser, change_id: str, as_json: Json = False) -> None:
    """Show a change: the diff, the safety findings and its state."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        change = thecal.run(
            get_program_change,
            GetProgramChange(actor=resolve_actor(thecal, as_user), change_id=change_id),
        )
        payload = change_payload(change)
        emit(payload, _human(payload), as_json=as_json)
