"""`thecal refills perform`: refill a pump from a verified admixture."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from thecal.domain.quantity_text import parse_volume
from thecal.domain.refill import BedsideReadings, PocketFillChecklist
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.refills import PerformRefill, perform_refill

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Refills.")


@app.command()
def perform(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    pump_version: Annotated[int, typer.Option(help="The pump version you reviewed.")],
    verification: Annotated[str, typer.Option(help="Pharmacy verification id of the syringe.")],
    volume: Annotated[str, typer.Option(help='Volume to inject, e.g. "20 mL".')],
    lot: Annotated[str, typer.Option(help="Lot number read at the bedside.")],
    test_volume: Annotated[str, typer.Option(help='Test volume, e.g. "5 mL".')] = "5 mL",
    aspiration: Annotated[
        bool,
        typer.Option("--aspiration/--no-aspiration", help="Did the test volume aspirate back?"),
    ] = True,
    checklist_confirmed: Annotated[
        bool,
        typer.Option(
            help="Confirm the pocket-fill checklist: needle placement, positive aspiration, "
            "no pocket swelling or pain, observed for overdose symptoms."
        ),
    ] = False,
    key: Annotated[str | None, typer.Option(help="Idempotency key (generated if omitted).")] = None,
    program_change: Annotated[
        str | None,
        typer.Option(
            help="A co-signed admixture change this refill carries (`thecal admixture-changes "
            "pending`): the syringe holds its new admixture, and its program is sent behind its "
            "bridge bolus once the new admixture is in."
        ),
    ] = None,
    withdrawn: Annotated[
        str | None,
        typer.Option(
            help='The residual withdrawn as you read it off the syringe, e.g. "2.5 mL" (kept '
            "beside the pump's measurement; a gap beyond the model's threshold is a finding)."
        ),
    ] = None,
    injected: Annotated[
        str | None,
        typer.Option(
            help='The volume injected as you read it off the syringe, e.g. "20 mL" (kept beside '
            "the fill recorded on the pump; a gap beyond the model's threshold is a finding)."
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Interrogate, withdraw and reconcile, inject, and set the next refill date."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        outcome = thecal.run_device(
            perform_refill,
            PerformRefill(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                idempotency_key=key or str(uuid.uuid4()),
                expected_pump_version=pump_version,
                verification_id=verification,
                ordered_volume=parse_volume(volume),
                lot_at_bedside=lot,
                test_volume=parse_volume(test_volume),
                aspiration_returned=aspiration,
                checklist=PocketFillChecklist(
                    needle_placement_confirmed=checklist_confirmed,
                    aspiration_positive=checklist_confirmed,
                    no_pocket_swelling_or_pain=checklist_confirmed,
                    observed_for_overdose_symptoms=checklist_confirmed,
                ),
                program_change_id=program_change,
                readings=BedsideReadings(
                    withdrawn=None if withdrawn is None else parse_volume(withdrawn),
                    injected=None if injected is None else parse_volume(injected),
                ),
            ),
        )
        rec = outcome.reconciliation
        payload = {
            "refill_id": outcome.refill.refill_id,
            "state": outcome.refill.state.value,
            "reconciliation": None if rec is None else rec.describe(),
            "verdict": None if rec is None else rec.verdict.value,
            "findings": [f"{f.code} {f.severity.value}" for f in outcome.findings],
            "next_refill_due": outcome.plan.due.isoformat() if outcome.plan else None,
            "binding": outcome.plan.binding.value if outcome.plan else None,
            "replayed": outcome.replayed,
            "program_change": None
            if outcome.program_change is None
            else {
                "change_id": outcome.program_change.change_id,
                "state": outcome.program_change.state.value,
            },
        }
        human = (
            f"refill {payload['refill_id']} {payload['state']}: {payload['reconciliation']}; "
            f"next refill {payload['next_refill_due'] or '—'} ({payload['binding'] or '—'})"
        )
        if outcome.program_change is not None:
            human += (
                f"; admixture change {outcome.program_change.change_id} "
                f"{outcome.program_change.state.value}: interrogate to confirm it"
            )
        for f in outcome.findings:
            human += f"\n  {f.severity.value.upper()} {f.code}: {f.message}"
        emit(payload, human, as_json=as_json)
