"""`thecal program-changes propose|sign|cosign|send|show|withdraw`: program changes from the
command line.

``propose`` is the program editor: one daily dose, or flex steps (``--step "07:00=80 mcg/day"``,
repeated; a weekly schedule names each step's day: ``--step "Mon 00:00=80 mcg/day"`` or
``"day 6 00:00=…"``), or a periodic clinician bolus (``--periodic-bolus "0.5 mg over 10 min every
6 h"``, optionally ``"… first after 2 h"``), or a single clinician bolus after which the pump stops
(``--single-bolus "40 mcg over 30 min"``), where the pump model runs that mode; the patient bolus (``--bolus-dose`` with ``--bolus-duration``, ``--bolus-lockout``,
``--bolus-max-per-day``; or ``--no-patient-bolus``) and ``--low-reservoir-alarm``; every dose in
the drug's library unit (mcg/day for baclofen, mg/day for morphine), with its unit. Options left
out keep the pump's current setting.

Signing and co-signing need the SR-16 re-authentication: the password is read from standard input
(``--password-stdin``) and checked by the identity service, which issues a single-use token bound
to the signer and the exact diff.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from thecal.domain.program_entry import PatientBolusEntry, ProgramEntry, bolus_entry
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
    WithdrawProgramChange,
    cosign_program_change,
    get_program_change,
    program_from_entry,
    propose_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)
from thecal.services.pumps import GetPump, get_pump

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True, help="Propose, sign, co-sign, send and show program changes."
)


def _human(payload: dict[str, object]) -> str:
    changes = "; ".join(f"{c['parameter']}: {c['old']} → {c['new']}" for c in payload["changes"])  # type: ignore[attr-defined]
    findings = ", ".join(f"{f['code']} {f['severity']}" for f in payload["findings"]) or "none"  # type: ignore[attr-defined]
    kind = " (restart as a new start)" if payload.get("kind") == "restart" else ""
    return (
        f"change {payload['change_id']}{kind} {payload['state']}: {changes} (findings: {findings})"
    )


@app.command()
def propose(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    daily_dose: Annotated[
        str,
        typer.Option(
            help='New continuous daily dose in the drug\'s unit, e.g. "50 mcg/day" (baclofen) '
            'or "5.5 mg/day" (morphine).'
        ),
    ] = "",
    step: Annotated[
        list[str] | None,
        typer.Option(
            help='A flex step "HH:MM=<dose>" (repeat, first at 00:00), e.g. "07:00=80 mcg/day"; '
            'over a week name the day of every step: "Mon 07:00=80 mcg/day" or '
            '"day 2 07:00=80 mcg/day" (first "Mon 00:00").'
        ),
    ] = None,
    periodic_bolus: Annotated[
        str,
        typer.Option(
            help='A clinician bolus repeated on a schedule instead of a daily dose: "<dose> over '
            '<duration> every <interval>", optionally "first after <delay>", e.g. "0.5 mg over '
            "10 min every 6 h\" (dose in the drug's unit)."
        ),
    ] = "",
    single_bolus: Annotated[
        str,
        typer.Option(
            help='One clinician bolus (rescue or bridge), then the pump stops: "<dose> over '
            '<duration>", e.g. "40 mcg over 30 min" (dose in the drug\'s unit).'
        ),
    ] = "",
    bolus_dose: Annotated[
        str, typer.Option(help='Patient bolus dose in the drug\'s unit, e.g. "25 mcg".')
    ] = "",
    bolus_duration: Annotated[
        str, typer.Option(help='Patient bolus duration, e.g. "10 min".')
    ] = "",
    bolus_lockout: Annotated[str, typer.Option(help='Lockout between boluses, e.g. "4 h".')] = "",
    bolus_max_per_day: Annotated[str, typer.Option(help="Maximum patient boluses per 24 h.")] = "",
    no_patient_bolus: Annotated[
        bool, typer.Option("--no-patient-bolus", help="Turn the patient bolus off.")
    ] = False,
    low_reservoir_alarm: Annotated[
        str, typer.Option(help='Low-reservoir alarm volume, e.g. "4 mL".')
    ] = "",
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
    """Propose a new program: a daily dose, flex steps, a periodic or a single bolus; patient
    bolus; alarm (safety-reviewed)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        current = thecal.run(get_pump, GetPump(actor=actor, pump_id=pump))
        bolus_given = any((bolus_dose, bolus_duration, bolus_lockout, bolus_max_per_day))
        entry = ProgramEntry(
            daily_dose=daily_dose,
            steps=tuple(step or ()),
            periodic_bolus=bolus_entry(periodic_bolus, periodic=True)
            if periodic_bolus.strip()
            else None,
            single_bolus=bolus_entry(single_bolus, periodic=False)
            if single_bolus.strip()
            else None,
            patient_bolus=PatientBolusEntry(
                dose=bolus_dose,
                duration=bolus_duration,
                lockout=bolus_lockout,
                max_per_day=bolus_max_per_day,
            )
            if bolus_given
            else None,
            patient_bolus_off=no_patient_bolus,
            low_reservoir_alarm=low_reservoir_alarm,
        )
        program = program_from_entry(current, entry)
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


@app.command()
def withdraw(
    as_user: AsUser,
    change_id: str,
    reason: Annotated[str, typer.Option(help="Why the change is withdrawn.")],
    as_json: Json = False,
) -> None:
    """Withdraw a pending change (not sent) with a reason."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        change = thecal.run(
            withdraw_program_change,
            WithdrawProgramChange(
                actor=resolve_actor(thecal, as_user), change_id=change_id, reason=reason
            ),
        )
        payload = change_payload(change)
        emit(payload, _human(payload), as_json=as_json)
