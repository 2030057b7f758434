"""`thecal bolus request`: a patient asks their own pump for a bolus (the PTM button)."""

from __future__ import annotations

from typing import Annotated

import typer

from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Patient-activated boluses.")


@app.command()
def request(
    as_user: AsUser,
    pump: Annotated[str | None, typer.Option(help="Pump id (default: your own pump).")] = None,
    as_json: Json = False,
) -> None:
    """Ask the pump for a bolus; the pump grants or denies it (lockout, daily maximum)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        answer = thecal.run_device(
            request_patient_bolus,
            RequestPatientBolus(actor=resolve_actor(thecal, as_user), pump_id=pump),
        )
        payload = {
            "serial": answer.serial,
            "at": answer.at.isoformat(),
            "granted": answer.granted,
            "reason": answer.reason,
            "uncertain": answer.uncertain,
        }
        verdict = "granted" if answer.granted else f"denied ({answer.reason})"
        emit(
            payload,
            f"bolus {verdict}" + (" — uncertain" if answer.uncertain else ""),
            as_json=as_json,
        )
