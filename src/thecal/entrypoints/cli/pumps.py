"""`thecal pumps implant|show|interrogate`: implanted pumps from the command line."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from thecal.domain.errors import RequestInvalid
from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_display import shown
from thecal.domain.quantity_text import parse_dose_rate, parse_volume
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import admixture_of, program_payload, pump_payload
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.pumps import GetPump, ImplantPump, get_pump, implant_pump

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Implant, show and interrogate pumps.")


def _line(payload: dict[str, Any]) -> str:
    return (
        f"pump {payload['id']}  {payload['model_id']} {payload['serial']}  "
        f"{payload['admixture']}  {payload['program']['daily_dose']}  "
        f"next refill {payload['next_refill_due'] or '—'}  version {payload['version']}"
    )


@app.command()
def implant(
    as_user: AsUser,
    patient: Annotated[str, typer.Option(help="Patient id.")],
    model: Annotated[str, typer.Option(help="Pump model id, e.g. synchromed-ii-20.")],
    serial: Annotated[str, typer.Option(help="Pump serial number.")],
    catheter: Annotated[str, typer.Option(help="Catheter model id.")],
    catheter_length_cm: Annotated[str, typer.Option(help="Implanted catheter length in cm.")],
    tip_level: Annotated[str, typer.Option(help="Catheter tip level, e.g. T10.")],
    drug: Annotated[str, typer.Option(help="Drug id of the fill, e.g. morphine.")],
    concentration: Annotated[str, typer.Option(help='Concentration, e.g. "25 mg/mL".')],
    fill_volume: Annotated[str, typer.Option(help='Fill volume, e.g. "20 mL".')],
    daily_dose: Annotated[str, typer.Option(help='Initial daily dose, e.g. "5 mg/day".')],
    pump_id: Annotated[str | None, typer.Option(help="Pump id (generated if omitted).")] = None,
    as_json: Json = False,
) -> None:
    """Record an implant: fill, initial program and priming bolus through the pump."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        try:
            length = Decimal(catheter_length_cm)
        except InvalidOperation:
            raise RequestInvalid(where="--catheter-length-cm", detail="not a number") from None
        admixture = admixture_of(drug, concentration)
        result = thecal.run_device(
            implant_pump,
            ImplantPump(
                actor=resolve_actor(thecal, as_user),
                patient_id=patient,
                pump_model_id=model,
                pump_serial=serial,
                catheter_model_id=catheter,
                catheter_length_cm=length,
                catheter_tip_level=tip_level,
                initial_fill=admixture,
                fill_volume=parse_volume(fill_volume),
                initial_program=InfusionProgram.continuous(admixture, parse_dose_rate(daily_dose)),
                pump_id=pump_id,
            ),
        )
        payload = {
            **pump_payload(result.pump),
            "priming_volume_ml": str(result.priming_volume.ml),
            "program_ack": result.program_ack.value,
        }
        emit(payload, f"implanted {_line(payload)}", as_json=as_json)


@app.command()
def show(as_user: AsUser, pump_id: str, as_json: Json = False) -> None:
    """Show a pump as the clinic recorded it."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        pump = thecal.run(get_pump, GetPump(actor=resolve_actor(thecal, as_user), pump_id=pump_id))
        payload = pump_payload(pump)
        emit(payload, _line(payload), as_json=as_json)


@app.command()
def interrogate(as_user: AsUser, pump_id: str, as_json: Json = False) -> None:
    """Interrogate a pump: store its events and bolus log, confirm sent program changes."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run_device(
            interrogate_pump,
            InterrogatePump(actor=resolve_actor(thecal, as_user), pump_id=pump_id),
        )
        snap = found.snapshot
        payload = {
            "pump": pump_payload(found.pump),
            "at": snap.at.isoformat(),
            "program": None if snap.program is None else program_payload(snap.program),
            "reservoir_estimate_ml": str(snap.reservoir_estimate.ml),
            "delivering": snap.delivering,
            "alarms": [code for code, _ in snap.alarms],
            "events": [
                {"at": e.at.isoformat(), "code": e.code, "detail": e.detail} for e in snap.events
            ],
            "resolved": {c.change_id: c.state.value for c in found.resolved},
        }
        alarms = ", ".join(code for code, _ in snap.alarms) or "none"
        resolved = ", ".join(f"{c.change_id} {c.state.value}" for c in found.resolved)
        human = (
            f"interrogated {found.pump.serial}: reservoir {shown(snap.reservoir_estimate)}, "
            f"alarms {alarms}, resolved {resolved or 'nothing'}"
        )
        emit(payload, human, as_json=as_json)
