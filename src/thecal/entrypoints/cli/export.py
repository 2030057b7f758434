"""`thecal export fhir --patient ID | --all`: the records as FHIR R4 (Bundle per patient, ndjson in bulk);
`thecal export schedule --from D --to D`: the clinicians' Schedule and busy Slots.

One patient: a ``collection`` Bundle (JSON). ``--all``: FHIR bulk-data style ndjson, one resource
per line. Each patient's record is an authorized, audited read (``fhir.export``: the outcome
records, then the pump therapy); ``--all`` is physician-only in practice (a patient user may
export only their own record).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from thecal.adapters.fhir import fhir_json
from thecal.adapters.fhir.appointment import schedule_resources, visit_resources
from thecal.adapters.fhir.bundle import patient_bundle, record_resources
from thecal.adapters.fhir.pump_therapy import ExportPumpTherapy, export_pump_therapy
from thecal.adapters.fhir.pump_therapy_resources import pump_therapy_resources
from thecal.adapters.read_models.patient_ids import all_patient_ids
from thecal.bootstrap import Thecal
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.date_plausibility import REPORT_DAY, check_date
from thecal.domain.errors import RequestInvalid
from thecal.domain.scheduling import Appointment, Referral
from thecal.domain.users import Actor
from thecal.entrypoints.cli.db import AsUser, open_app, resolve_actor
from thecal.entrypoints.cli.output import translate_errors
from thecal.entrypoints.cli.progress import progress_bar
from thecal.services.record_export import ExportRecord, export_record
from thecal.services.scheduling.exports import (
    ExportSchedules,
    ExportVisits,
    export_schedules,
    export_visits,
)

__all__ = ["app", "fhir"]

app = typer.Typer(no_args_is_help=True, help="Export records in standard formats.")


def _patient_resources(thecal: Thecal, actor: Actor, patient_id: str) -> list[dict[str, Any]]:
    """Everything on file for one patient, as FHIR resources (two audited reads)."""
    record = thecal.run(export_record, ExportRecord(actor=actor, patient_id=patient_id))
    therapy = thecal.run(export_pump_therapy, ExportPumpTherapy(actor=actor, patient_id=patient_id))
    linked = {p.source_record_id: p.id for p in record.procedures if p.source_record_id}
    return record_resources(
        record.patient,
        record.procedures,
        record.assessments,
        extra=[
            *pump_therapy_resources(therapy, linked=linked),
            *visit_resources(*_visits(thecal, actor, patient_id)),
        ],
    )


def _visits(
    thecal: Thecal, actor: Actor, patient_id: str
) -> tuple[Sequence[Appointment], Sequence[tuple[Referral, bool]]]:
    """The patient's visits and accepted referrals (an audited read, docs/scheduling.md)."""
    found = thecal.run(export_visits, ExportVisits(actor=actor, patient_id=patient_id))
    return found.appointments, found.referrals


@app.command()
def fhir(
    as_user: AsUser,
    patient: Annotated[str | None, typer.Option(help="Export this patient as a Bundle.")] = None,
    all_patients: Annotated[
        bool, typer.Option("--all", help="Export every patient as ndjson.")
    ] = False,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """FHIR R4 export: Patient, Procedure, QuestionnaireResponse, Observation (pain LOINC 72514-3),
    Device (pump, catheter), MedicationRequest (programs), MedicationAdministration (fills, boluses)."""
    with translate_errors(as_json=False), open_app() as thecal:
        if (patient is None) == (not all_patients):
            raise RequestInvalid(where="export", detail="give exactly one of --patient ID or --all")
        actor = resolve_actor(thecal, as_user)
        if patient is not None:
            resources = _patient_resources(thecal, actor, patient)
            stamp = thecal.clock.now().astimezone(dt.UTC).isoformat()
            text = fhir_json(
                patient_bundle(resources, bundle_id=str(uuid.uuid4()), timestamp=stamp), indent=2
            )
        else:
            authorize(actor, Action.FHIR_EXPORT, Subject.collection("patients"))
            lines = []
            idents = list(all_patient_ids(thecal.engine))  # read before the audited writes
            with progress_bar("Exporting patients", as_json=False) as progress:
                for done, ident in enumerate(idents, start=1):
                    lines += [fhir_json(r) for r in _patient_resources(thecal, actor, ident)]
                    if progress is not None:
                        progress(done, len(idents))
            text = "\n".join(lines)
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"wrote {output}")


@app.command()
def schedule(
    as_user: AsUser,
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
    last: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC).")],
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """FHIR R4 Schedule per clinician with a busy Slot per visit they keep (a Bundle)."""
    with translate_errors(as_json=False), open_app() as thecal:
        try:
            first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        except ValueError:
            raise RequestInvalid(where="--from/--to", detail="write YYYY-MM-DD") from None
        today = thecal.clock.now().astimezone(dt.UTC).date()
        start = dt.datetime.combine(
            check_date("--from", first_day, REPORT_DAY, today=today), dt.time(0), tzinfo=dt.UTC
        )
        end = dt.datetime.combine(
            check_date("--to", last_day, REPORT_DAY, today=today), dt.time(0), tzinfo=dt.UTC
        )
        end += dt.timedelta(days=1)
        found = thecal.run(
            export_schedules,
            ExportSchedules(actor=resolve_actor(thecal, as_user), start=start, end=end),
        )
        resources = [
            r
            for c in found
            for r in schedule_resources(
                clinician_id=c.clinician_id,
                clinician=c.clinician,
                start=start,
                end=end,
                visits=c.visits,
            )
        ]
        stamp = thecal.clock.now().astimezone(dt.UTC).isoformat()
        text = fhir_json(
            patient_bundle(resources, bundle_id=str(uuid.uuid4()), timestamp=stamp), indent=2
        )
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"wrote {output}")
