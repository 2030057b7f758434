"""`thecal admixture-changes propose|pending`: a new admixture for a pump, sent at its refill.

A concentration change, a drug rotation (morphine → hydromorphone) or an adjuvant added or removed
is proposed here with its bridge decision; it is signed and co-signed with
``thecal program-changes sign|cosign`` (the diff shows old, new and the bridge), the pharmacist
verifies the new admixture (``thecal pharmacy verify``) and the refill that injects it carries the
change (``thecal refills perform --program-change``); the next interrogation confirms it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from thecal.domain.quantity_text import parse_dose_rate
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import Adjuvants, admixture_of, change_payload
from thecal.services.admixture_changes import (
    AwaitingRefill,
    ProposeAdmixtureChange,
    list_awaiting_refill,
    new_admixture_program,
    propose_admixture_change,
)
from thecal.services.pumps import GetPump, get_pump

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="Admixture changes at a refill: concentration, drug rotation, adjuvants, bridge bolus.",
)


def _human(payload: dict[str, object]) -> str:
    changes = "; ".join(f"{c['parameter']}: {c['old']} → {c['new']}" for c in payload["changes"])  # type: ignore[attr-defined]
    findings = ", ".join(f"{f['code']} {f['severity']}" for f in payload["findings"]) or "none"  # type: ignore[attr-defined]
    return f"admixture change {payload['change_id']} {payload['state']}: {changes} (findings: {findings})"


@app.command()
def propose(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    drug: Annotated[str, typer.Option(help="The primary drug of the new admixture.")],
    concentration: Annotated[str, typer.Option(help='Its concentration, e.g. "20 mg/mL".')],
    daily_dose: Annotated[
        str,
        typer.Option(help='The primary drug\'s daily dose in its unit, e.g. "5 mg/day".'),
    ],
    bridge: Annotated[
        bool,
        typer.Option(
            "--bridge/--no-bridge",
            help="Bridge bolus: push the old admixture out of the dead space at its old dose. "
            "Without it the change shows the under- or overdose at the tip and how long it lasts.",
        ),
    ],
    adjuvant: Adjuvants = None,
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    key: Annotated[str | None, typer.Option(help="Idempotency key (generated if omitted).")] = None,
    as_json: Json = False,
) -> None:
    """Propose a new admixture and its daily dose; sent by the refill that injects it.

    The patient bolus and the alarm are kept when the primary drug stays the same; a drug rotation
    switches the patient bolus off (its dose was in the old drug) — the diff shows it.
    """
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        current = thecal.run(get_pump, GetPump(actor=actor, pump_id=pump)).program
        program = new_admixture_program(
            current, admixture_of(drug, concentration, adjuvant or ()), parse_dose_rate(daily_dose)
        )
        outcome = thecal.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=actor,
                pump_id=pump,
                new_program=program,
                bridge=bridge,
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
def pending(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    as_json: Json = False,
) -> None:
    """The pump's co-signed admixture changes waiting for the refill that injects them."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            list_awaiting_refill,
            AwaitingRefill(actor=resolve_actor(thecal, as_user), pump_id=pump),
        )
        rows = [
            {
                "change_id": c.change_id,
                "state": c.state.value,
                "admixture": c.new_program.admixture.describe(),
                "bridge": bool(c.transition and c.transition.bridge),
            }
            for c in found
        ]
        payload = {"pump_id": pump, "admixture_changes": rows}
        lines = [
            f"{r['change_id']} {r['state']}: {r['admixture']}"
            f" ({'bridge bolus' if r['bridge'] else 'no bridge'})"
            for r in rows
        ]
        emit(payload, "\n".join(lines) or "no admixture change waits for a refill", as_json=as_json)
