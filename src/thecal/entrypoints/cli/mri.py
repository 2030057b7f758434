"""`thecal mri plan|empty|clear|scan|show`: MRI with an implanted pump (SR-15)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from thecal.domain.errors import RequestInvalid
from thecal.domain.mri import MriPlan
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import instant
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    GetMriPlan,
    PlanMri,
    RecordMriScan,
    clear_mri,
    empty_pump_for_mri,
    get_mri_plan,
    plan_mri,
    record_mri_scan,
)

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Plan an MRI, empty the pump, clear, record the scan.")


def _payload(plan: MriPlan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "patient_id": plan.patient_id,
        "state": plan.state.value,
        "version": plan.version,
        "pump": plan.pump.name,
        "serial": plan.pump_serial,
        "scan_at": plan.scan_at.isoformat(),
        "field_strength_t": str(plan.field_strength_t),
        "emptying_required": plan.emptying_required,
        "emptied_volume_ml": None if plan.emptied_volume is None else str(plan.emptied_volume.ml),
        "task": None
        if plan.task is None
        else {"due": plan.task.due.isoformat(), "reason": plan.task.reason},
    }


def _human(plan: MriPlan) -> str:
    task = f"; post-MRI task due {plan.task.due.isoformat()}" if plan.task else ""
    return f"MRI {plan.plan_id} {plan.state.value}: {plan.pump.name} {plan.pump_serial} at {plan.field_strength_t} T{task}"


@app.command()
def plan(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id.")],
    scan_at: Annotated[str, typer.Option(help="Scan time (ISO; UTC if no offset).")],
    field_t: Annotated[str, typer.Option(help="Static field strength in tesla, e.g. 1.5.")],
    as_json: Json = False,
) -> None:
    """Plan an MRI for the patient with this pump."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        try:
            field = Decimal(field_t)
        except InvalidOperation:
            raise RequestInvalid(where="--field-t", detail="not a number") from None
        found = thecal.run(
            plan_mri,
            PlanMri(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                scan_at=instant(scan_at, "--scan-at"),
                field_strength_t=field,
            ),
        )
        emit(_payload(found), _human(found), as_json=as_json)


@app.command()
def empty(
    as_user: AsUser,
    plan_id: str,
    pump_version: Annotated[int, typer.Option(help="The pump version you reviewed.")],
    as_json: Json = False,
) -> None:
    """Withdraw the reservoir through the pump and record the volume (before the scan)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run_device(
            empty_pump_for_mri,
            EmptyPumpForMri(
                actor=resolve_actor(thecal, as_user),
                plan_id=plan_id,
                expected_pump_version=pump_version,
            ),
        )
        emit(_payload(found), _human(found), as_json=as_json)


@app.command()
def clear(as_user: AsUser, plan_id: str, as_json: Json = False) -> None:
    """Clear the patient for the scan (physician; refused for an un-emptied valve-gated pump)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            clear_mri, ClearMri(actor=resolve_actor(thecal, as_user), plan_id=plan_id)
        )
        emit(_payload(found), _human(found), as_json=as_json)


@app.command()
def scan(as_user: AsUser, plan_id: str, as_json: Json = False) -> None:
    """Record the scan as done now; the post-MRI interrogation task is re-dated from it."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            record_mri_scan, RecordMriScan(actor=resolve_actor(thecal, as_user), plan_id=plan_id)
        )
        emit(_payload(found), _human(found), as_json=as_json)


@app.command()
def show(as_user: AsUser, plan_id: str, as_json: Json = False) -> None:
    """Show an MRI plan."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            get_mri_plan, GetMriPlan(actor=resolve_actor(thecal, as_user), plan_id=plan_id)
        )
        emit(_payload(found), _human(found), as_json=as_json)
